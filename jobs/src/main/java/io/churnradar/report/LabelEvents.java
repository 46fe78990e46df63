package io.churnradar.report;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The events the churn labels are built from, as the backtest reads them: what each accepted event says
 * about churn (account, time, type, usage quantity, payment status, subscription action) streams into one compressed
 * file of the scratch folder, read back after the job. The job's memory does not grow with the events,
 * and the labels are built once from the same events the detector saw.
 */
public final class LabelEvents {
    public static final String UID = "label-events";
    static final String FILE = "label-events.bin.gz";

    private LabelEvents() {}

    /** Adds the sink that writes {@code events} into {@code scratch}: one subtask, one file, in the order read. */
    public static void collect(DataStream<AccountEvent> events, Path scratch) {
        events.sinkTo(new FileSink(scratch)).uid(UID).name("Events for churn labels").setParallelism(1);
    }

    /** Reads the events written into {@code scratch} (none when the file is absent), reusing one event object. */
    public static long read(Path scratch, Consumer<AccountEvent> each) throws IOException {
        Path file = scratch.resolve(FILE);
        if (!Files.exists(file)) return 0;
        long n = 0;
        AccountEvent e = new AccountEvent();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16)))) {
            while (true) {
                String account;
                try {
                    account = in.readUTF();
                } catch (EOFException end) {
                    return n;
                }
                e.accountId = account;
                e.eventTime = in.readLong();
                e.type = EventType.valueOf(in.readUTF());
                e.quantity = in.readDouble();
                String status = in.readUTF();
                e.paymentStatus = status.isEmpty() ? null : PaymentStatus.valueOf(status);
                String action = in.readUTF();
                e.action = action.isEmpty() ? null : SubscriptionAction.valueOf(action);
                each.accept(e);
                n++;
            }
        }
    }

    static final class FileSink implements Sink<AccountEvent> {
        private static final long serialVersionUID = 1L;
        private final String scratch;

        FileSink(Path scratch) {
            this.scratch = scratch.toString();
        }

        @Override
        public SinkWriter<AccountEvent> createWriter(WriterInitContext context) throws IOException {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    new GZIPOutputStream(Files.newOutputStream(Path.of(scratch, FILE)), 1 << 16)));
            return new SinkWriter<>() {
                @Override
                public void write(AccountEvent e, Context context) throws IOException {
                    out.writeUTF(e.accountId);
                    out.writeLong(e.eventTime);
                    out.writeUTF(e.type.name());
                    out.writeDouble(e.quantity);
                    out.writeUTF(e.paymentStatus == null ? "" : e.paymentStatus.name());
                    out.writeUTF(e.action == null ? "" : e.action.name());
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }
    }
}
