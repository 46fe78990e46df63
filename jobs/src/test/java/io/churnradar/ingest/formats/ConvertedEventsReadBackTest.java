package io.churnradar.ingest.formats;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventJson;
import io.churnradar.ingest.JsonEventParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What convert writes is what the backtest reads: every fixture's events survive our JSON Lines unchanged. */
class ConvertedEventsReadBackTest {
    static List<String> fixtures() throws IOException, URISyntaxException {
        Path root = Path.of(ConvertedEventsReadBackTest.class.getClassLoader().getResource("payloads").toURI());
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> out.add(root.relativize(f).toString()));
        }
        return out.stream().sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void eventsReadBackAsTheyWereMapped(String fixture) throws Exception {
        String format = fixture.substring(0, fixture.indexOf('/'));
        PayloadMapper m = InputFormat.fromId(format).mapper(null, FormatOptions.defaults());
        Mapped mapped;
        try {
            mapped = m.map(Payloads.bytes(format, fixture.substring(format.length() + 1)));
        } catch (io.churnradar.ingest.InvalidEventException rejected) {
            return; // the answerless SurveyMonkey notification
        }
        UserLinks links = UserLinks.inMemory();
        links.link("97980cfea0067", "initech");
        for (AccountEvent e : mapped.resolve(links)) {
            AccountEvent back = JsonEventParser.parse(EventJson.toJson(e));
            assertThat(back).usingRecursiveComparison().isEqualTo(e);
        }
    }
}
