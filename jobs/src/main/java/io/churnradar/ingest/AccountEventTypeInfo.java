package io.churnradar.ingest;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of {@link AccountEvent} with its own serializer ({@link AccountEventSerializer}). AccountEvent's
 * {@code @TypeInfo} names the {@link Factory}, so that every stream of events (the reading, the backtest's merge,
 * the keyed detector's input, the benchmark) gets it wherever Flink derives the type.
 */
public final class AccountEventTypeInfo extends SerializerTypeInfo<AccountEvent> {
    private static final long serialVersionUID = 1L;

    public AccountEventTypeInfo() {
        super(AccountEvent.class);
    }

    /** Named by AccountEvent's {@code @TypeInfo}. */
    public static final class Factory extends TypeInfoFactory<AccountEvent> {
        @Override
        public TypeInformation<AccountEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new AccountEventTypeInfo();
        }
    }

    @Override
    public TypeSerializer<AccountEvent> createSerializer(SerializerConfig config) {
        return new AccountEventSerializer();
    }
}
