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
public final class AccountEventTypeInfo extends TypeInformation<AccountEvent> {
    private static final long serialVersionUID = 1L;

    /** Named by AccountEvent's {@code @TypeInfo}. */
    public static final class Factory extends TypeInfoFactory<AccountEvent> {
        @Override
        public TypeInformation<AccountEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new AccountEventTypeInfo();
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<AccountEvent> getTypeClass() {
        return AccountEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<AccountEvent> createSerializer(SerializerConfig config) {
        return new AccountEventSerializer();
    }

    @Override
    public String toString() {
        return "AccountEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccountEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return AccountEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof AccountEventTypeInfo;
    }
}
