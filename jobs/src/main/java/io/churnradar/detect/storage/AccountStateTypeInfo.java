package io.churnradar.detect.storage;

import io.churnradar.detect.AccountState;
import io.churnradar.ingest.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of {@link AccountState} with its compact serializer. AccountState's {@code @TypeInfo} names
 * the {@link Factory}, so that every {@code TypeInformation.of(AccountState.class)} and every
 * {@code new ValueStateDescriptor<>(name, AccountState.class)} (the detector, the state export, the SQL
 * savepoint connector's {@code value-class}, test harnesses) gets the same serializer.
 */
public final class AccountStateTypeInfo extends SerializerTypeInfo<AccountState> {
    private static final long serialVersionUID = 1L;

    public AccountStateTypeInfo() {
        super(AccountState.class);
    }

    /** Named by AccountState's {@code @TypeInfo}. */
    public static final class Factory extends TypeInfoFactory<AccountState> {
        @Override
        public TypeInformation<AccountState> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new AccountStateTypeInfo();
        }
    }

    @Override
    public TypeSerializer<AccountState> createSerializer(SerializerConfig config) {
        return new AccountStateSerializer();
    }

    @Override
    public String toString() {
        return "AccountState (compact layout " + AccountStateSerializer.LAYOUT + ")";
    }
}
