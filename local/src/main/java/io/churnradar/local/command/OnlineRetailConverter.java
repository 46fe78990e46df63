package io.churnradar.local.command;

import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventJson;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The UCI Online Retail transaction log (CSV: InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
 * UnitPrice, CustomerID, Country; plain, .gz or .xz) as our events: a customer is an account
 * ({@code cust-<CustomerID>}), an invoice a login, each of its line items a usage of the stock code with its
 * quantity, and the invoice a SUCCEEDED payment of its total (GBP); a cancellation invoice ({@code C...}) a
 * REFUNDED payment of its total. The log's local times are read as UTC. Rows without a CustomerID are
 * skipped and counted; a row that does not parse is counted with its reason, and the conversion goes on.
 */
final class OnlineRetailConverter {
    static final String FORMAT = "online-retail";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm[:ss]");
    private static final List<String> HEADER = List.of("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country");

    /** What a conversion did. */
    static final class Counts {
        long rows;
        long invoices;
        long cancellations;
        long events;
        long withoutCustomer;
        final Map<String, Long> events_ = new TreeMap<>();
        final Map<String, Long> rejected = new TreeMap<>();
    }

    private OnlineRetailConverter() {}

    static Counts convert(Path in, Path out) throws IOException {
        Counts c = new Counts();
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(in), StandardCharsets.UTF_8), 1 << 16);
                BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !split(header).equals(HEADER)) {
                throw new IllegalArgumentException(in + " is not the Online Retail CSV: its header must be " + String.join(",", HEADER));
            }
            Invoice open = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) continue;
                c.rows++;
                List<String> f = split(line);
                if (f.size() != HEADER.size()) {
                    c.rejected.merge("not " + HEADER.size() + " columns", 1L, Long::sum);
                    continue;
                }
                String customer = f.get(6).trim();
                if (customer.isEmpty() || customer.equals("NA")) {
                    c.withoutCustomer++;
                    continue;
                }
                Item item;
                try {
                    item = new Item(f.get(1).trim(), new BigDecimal(f.get(3).trim()), new BigDecimal(f.get(5).trim()),
                            LocalDateTime.parse(f.get(4).trim(), TIME).toInstant(ZoneOffset.UTC).toEpochMilli());
                } catch (NumberFormatException | DateTimeParseException e) {
                    c.rejected.merge("a quantity, price or date that does not parse", 1L, Long::sum);
                    continue;
                }
                String invoice = f.get(0).trim();
                if (invoice.isEmpty()) {
                    c.rejected.merge("no InvoiceNo", 1L, Long::sum);
                    continue;
                }
                // An invoice's rows are consecutive: a new number (or customer) closes the previous one.
                if (open != null && (!open.number.equals(invoice) || !open.customer.equals(customer))) {
                    write(open, w, c);
                    open = null;
                }
                if (open == null) open = new Invoice(invoice, customer, item.at);
                open.items.add(item);
            }
            if (open != null) write(open, w, c);
        }
        return c;
    }

    private record Item(String stockCode, BigDecimal quantity, BigDecimal unitPrice, long at) {}

    private static final class Invoice {
        final String number;
        final String customer;
        final long at;
        final List<Item> items = new ArrayList<>();

        Invoice(String number, String customer, long at) {
            this.number = number;
            this.customer = customer;
            this.at = at;
        }
    }

    private static void write(Invoice inv, BufferedWriter w, Counts c) throws IOException {
        String account = "cust-" + inv.customer.replaceAll("\\.0$", "");
        String id = "or:" + inv.number;
        BigDecimal total = BigDecimal.ZERO;
        for (Item i : inv.items) total = total.add(i.quantity.multiply(i.unitPrice));
        boolean cancellation = inv.number.startsWith("C");
        if (cancellation) {
            c.cancellations++;
            AccountEvent refund = AccountEvent.payment(id + ":refund", account, inv.at, PaymentStatus.REFUNDED);
            refund.amountMinor = minor(total.abs());
            refund.currency = "GBP";
            refund.invoiceId = inv.number;
            emit(refund, w, c, "payment REFUNDED");
            return;
        }
        c.invoices++;
        emit(AccountEvent.login(id + ":login", account, inv.at), w, c, "login");
        int n = 0;
        for (Item i : inv.items) {
            n++;
            if (i.quantity.signum() <= 0) continue; // an adjustment line: not a use
            emit(AccountEvent.usage(id + ":" + n, account, i.at, i.stockCode.isEmpty() ? "unknown" : i.stockCode, i.quantity.doubleValue()),
                    w, c, "usage");
        }
        AccountEvent paid = AccountEvent.payment(id + ":paid", account, inv.at, PaymentStatus.SUCCEEDED);
        paid.amountMinor = minor(total.max(BigDecimal.ZERO));
        paid.currency = "GBP";
        paid.invoiceId = inv.number;
        emit(paid, w, c, "payment SUCCEEDED");
    }

    private static long minor(BigDecimal amount) {
        return amount.movePointRight(2).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static void emit(AccountEvent e, BufferedWriter w, Counts c, String kind) throws IOException {
        w.write(EventJson.toJson(e));
        w.write('\n');
        c.events++;
        c.events_.merge(kind, 1L, Long::sum);
    }

    private static InputStream open(Path in) throws IOException {
        InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(in), 1 << 16);
        String name = in.getFileName().toString();
        if (name.endsWith(".xz")) return new XZInputStream(raw);
        if (name.endsWith(".gz")) return new GZIPInputStream(raw);
        return raw;
    }

    /** One CSV line's fields: commas split, double quotes group, a doubled quote is a quote. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
