package io.churnradar.webhook;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/** The buffered commands in a checkpoint: per entry the endpoint, ids, action and the command's bytes. */
public final class WebhookEntryStateSerializer extends AsyncSinkWriterStateSerializer<WebhookEntry> {
    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    protected void serializeRequestToStream(WebhookEntry e, DataOutputStream out) throws IOException {
        out.writeUTF(e.endpoint);
        out.writeUTF(e.commandId);
        out.writeUTF(e.action);
        out.writeUTF(e.accountId);
        out.writeInt(e.command.length);
        out.write(e.command);
    }

    @Override
    protected WebhookEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        String endpoint = in.readUTF();
        String commandId = in.readUTF();
        String action = in.readUTF();
        String accountId = in.readUTF();
        byte[] command = new byte[in.readInt()];
        in.readFully(command);
        return new WebhookEntry(endpoint, commandId, action, accountId, command);
    }
}
