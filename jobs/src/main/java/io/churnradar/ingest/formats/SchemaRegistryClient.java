package io.churnradar.ingest.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.ingest.InvalidEventException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Writer schemas by id from a Confluent-compatible schema registry ({@code GET /schemas/ids/{id}}), each
 * id fetched once: an id always names the same schema, so the cache never goes stale.
 */
final class SchemaRegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, Schema> cache = new ConcurrentHashMap<>();

    SchemaRegistryClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    Schema schema(int id) throws InvalidEventException {
        Schema s = cache.get(id);
        if (s != null) return s;
        s = fetch(id);
        cache.put(id, s);
        return s;
    }

    private Schema fetch(int id) throws InvalidEventException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/schemas/ids/" + id))
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json")
                .timeout(Duration.ofSeconds(10))
                .GET().build();
        String problem = null;
        // A registry restart must not dead-letter a burst of records: a few quick retries first.
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200) return parse(id, resp.body());
                if (resp.statusCode() == 404) throw new InvalidEventException("schema id " + id + " is not in the schema registry at " + baseUrl);
                problem = "the schema registry at " + baseUrl + " answered HTTP " + resp.statusCode() + " for schema id " + id;
                if (resp.statusCode() < 500) break;
            } catch (IOException e) {
                problem = "the schema registry at " + baseUrl + " is unreachable for schema id " + id + ": " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InvalidEventException("interrupted while fetching schema id " + id);
            }
        }
        throw new InvalidEventException(problem);
    }

    private static Schema parse(int id, String body) throws InvalidEventException {
        try {
            JsonNode n = JSON.readTree(body);
            String type = n.path("schemaType").asText("AVRO");
            if (!type.equals("AVRO")) throw new InvalidEventException("schema id " + id + " is a " + type + " schema, not Avro");
            return new Schema.Parser().parse(n.path("schema").asText());
        } catch (IOException | SchemaParseException e) {
            throw new InvalidEventException("schema id " + id + " from the registry does not parse: " + e.getMessage());
        }
    }
}
