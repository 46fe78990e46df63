package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.JsonEventParser;
import io.churnradar.local.TestTmp;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** {@code convert --format online-retail}: a small CSV in the columns of the UCI log (never the log itself) to our events. */
class OnlineRetailConvertTest {
    static {
        TestTmp.ensure();
    }

    private static final String CSV = """
            "InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"
            "536365","85123A","WHITE HANGING HEART T-LIGHT HOLDER",6,2010-12-01 08:26:00,2.55,17850,"United Kingdom"
            "536365","71053","WHITE METAL LANTERN, LARGE",6,2010-12-01 08:26:00,3.39,17850,"United Kingdom"
            "536366","22633","HAND WARMER ""UNION JACK""\",6,2010-12-01 08:28:00,1.85,,"United Kingdom"
            "536367","84879","ASSORTED COLOUR BIRD ORNAMENT",32,2010-12-01 08:34:00,1.69,13047,"United Kingdom"
            "536367","22745","POPPY'S PLAYHOUSE BEDROOM",0,2010-12-01 08:34:00,2.10,13047,"United Kingdom"
            "C536379","D","Discount",-1,2010-12-01 09:41:00,27.50,14527,"United Kingdom"
            "536380","22961","JAM MAKING SET PRINTED",many,2010-12-01 09:45:00,1.45,17809,"United Kingdom"
            """;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void invoicesBecomeLoginsUsageAndPaymentsFromTheXzFile() throws Exception {
        Path in = tmp.resolve("retail.csv.xz");
        try (OutputStream xz = new XZOutputStream(Files.newOutputStream(in), new LZMA2Options())) {
            xz.write(CSV.getBytes(StandardCharsets.UTF_8));
        }
        Path events = tmp.resolve("out/events.jsonl");
        assertThat(run("convert", "--format", "online-retail", "--in", in.toString(), "--out", events.toString())).isZero();

        List<AccountEvent> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(events)) parsed.add(JsonEventParser.parse(line));
        assertThat(parsed).extracting(e -> e.type.jsonName + " " + e.accountId + " " + e.eventId).containsExactly(
                "login cust-17850 or:536365:login",
                "usage cust-17850 or:536365:1",
                "usage cust-17850 or:536365:2",
                "payment cust-17850 or:536365:paid",
                "login cust-13047 or:536367:login",
                "usage cust-13047 or:536367:1",
                "payment cust-13047 or:536367:paid",
                "payment cust-14527 or:C536379:refund");
        AccountEvent paid = parsed.get(3);
        assertThat(paid.paymentStatus).isEqualTo(PaymentStatus.SUCCEEDED);
        assertThat(paid.amountMinor).isEqualTo(3564); // 6 x 2.55 + 6 x 3.39
        assertThat(paid.currency).isEqualTo("GBP");
        assertThat(parsed.get(1).feature).isEqualTo("85123A");
        assertThat(parsed.get(1).quantity).isEqualTo(6.0);
        assertThat(parsed.get(0).eventTime).isEqualTo(java.time.Instant.parse("2010-12-01T08:26:00Z").toEpochMilli());
        assertThat(parsed.get(7).paymentStatus).isEqualTo(PaymentStatus.REFUNDED);
        assertThat(parsed.get(7).amountMinor).isEqualTo(2750);
        assertThat(parsed.stream().filter(e -> e.type == EventType.LOGIN)).hasSize(2);

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("7 rows, 2 invoices, 1 cancellations").contains("skipped    1 rows without a CustomerID")
                .contains("rejected   1 rows").contains("a quantity, price or date that does not parse");
    }

    @Test
    void aFileOfOtherColumnsIsAUsageError() throws Exception {
        Path in = Files.writeString(tmp.resolve("other.csv"), "a,b,c\n1,2,3\n");
        assertThat(run("convert", "--format", "online-retail", "--in", in.toString(), "--out", tmp.resolve("e.jsonl").toString())).isEqualTo(2);
    }
}
