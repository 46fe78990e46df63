package io.churnradar.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * A schema registry on localhost speaking the part of the Confluent REST API readers use,
 * {@code GET /schemas/ids/{id}}, and a producer's Confluent wire-format encoding against it.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(100);
    private final AtomicInteger lookups = new AtomicInteger();

    public LocalSchemaRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/schemas/ids/", exchange -> {
            lookups.incrementAndGet();
            String tail = exchange.getRequestURI().getPath().substring("/schemas/ids/".length());
            Schema s = null;
            try {
                s = byId.get(Integer.parseInt(tail));
            } catch (NumberFormatException ignored) {
                // answered 404 below, as the registry does
            }
            ObjectNode body = JSON.createObjectNode();
            int status;
            if (s == null) {
                status = 404;
                body.put("error_code", 40403).put("message", "Schema " + tail + " not found");
            } else {
                status = 200;
                body.put("schema", s.toString());
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers a schema (as a producer's serializer does on first use) and returns its id. */
    public int register(Schema schema) {
        for (Map.Entry<Integer, Schema> e : byId.entrySet()) {
            if (e.getValue().equals(schema)) return e.getKey();
        }
        int id = nextId.getAndIncrement();
        byId.put(id, schema);
        return id;
    }

    /** How many schema lookups the registry answered. */
    public int lookups() {
        return lookups.get();
    }

    /** The Confluent wire format of a record written with {@code writer}: 0, the schema id, the Avro body. */
    public byte[] encode(SpecificRecord record, Schema writer) {
        int id = register(writer);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(writer, SpecificData.getForSchema(record.getSchema())).write(record, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] encode(SpecificRecord record) {
        return encode(record, record.getSchema());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
