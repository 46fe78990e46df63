package io.churnradar.ingest;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;

/**
 * One validated event of any type, as the detector sees it. A flat POJO so that the Kafka and file inputs
 * meet in one stream; fields that do not apply to the type are null. Flink moves it with
 * {@link AccountEventSerializer} (no Kryo), named by the annotation.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(AccountEventTypeInfo.Factory.class)
public class AccountEvent {
    public EventType type;
    public String eventId;
    public String accountId;
    public long eventTime;
    public String userId;

    // usage
    public String feature;
    public double quantity;

    // support ticket
    public String ticketId;
    public TicketStatus ticketStatus;
    public TicketPriority priority;
    public Integer csat;

    // payment
    public PaymentStatus paymentStatus;
    public long amountMinor;
    public String currency;
    public String invoiceId;
    public String failureCode;
    public String cardExpiry;

    // feedback
    public SurveyType survey;
    public int score;
    public String comment;

    // subscription
    public SubscriptionAction action;
    public String plan;
    public Long mrrMinor;
    public Integer seats;
    public String renewalDate;
    public String reason;
    /** A CS manager's do-not-contact mark: true sets it, false lifts it, null leaves it. */
    public Boolean doNotContact;

    public AccountEvent() {}

    public static AccountEvent of(EventType type, String eventId, String accountId, long eventTime) {
        AccountEvent e = new AccountEvent();
        e.type = type;
        e.eventId = eventId;
        e.accountId = accountId;
        e.eventTime = eventTime;
        return e;
    }

    public static AccountEvent login(String eventId, String accountId, long eventTime) {
        return of(EventType.LOGIN, eventId, accountId, eventTime);
    }

    public static AccountEvent usage(String eventId, String accountId, long eventTime, String feature, double quantity) {
        AccountEvent e = of(EventType.USAGE, eventId, accountId, eventTime);
        e.feature = feature;
        e.quantity = quantity;
        return e;
    }

    public static AccountEvent ticket(String eventId, String accountId, long eventTime, String ticketId, TicketStatus status) {
        AccountEvent e = of(EventType.SUPPORT_TICKET, eventId, accountId, eventTime);
        e.ticketId = ticketId;
        e.ticketStatus = status;
        e.priority = TicketPriority.NORMAL;
        return e;
    }

    public static AccountEvent payment(String eventId, String accountId, long eventTime, PaymentStatus status) {
        AccountEvent e = of(EventType.PAYMENT, eventId, accountId, eventTime);
        e.paymentStatus = status;
        e.amountMinor = 4900;
        e.currency = "EUR";
        e.invoiceId = "inv-" + eventId;
        return e;
    }

    public static AccountEvent feedback(String eventId, String accountId, long eventTime, SurveyType survey, int score) {
        AccountEvent e = of(EventType.FEEDBACK, eventId, accountId, eventTime);
        e.survey = survey;
        e.score = score;
        return e;
    }

    public static AccountEvent subscription(String eventId, String accountId, long eventTime, SubscriptionAction action) {
        AccountEvent e = of(EventType.SUBSCRIPTION, eventId, accountId, eventTime);
        e.action = action;
        return e;
    }

    @Override
    public String toString() {
        return type + "{" + accountId + "/" + eventId + " @" + java.time.Instant.ofEpochMilli(eventTime) + "}";
    }
}
