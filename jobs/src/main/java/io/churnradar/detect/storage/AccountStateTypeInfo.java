package io.churnradar.detect.storage;

import io.churnradar.detect.AccountState;
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
public final class AccountStateTypeInfo extends TypeInformation<AccountState> {
    private static final long serialVersionUID = 1L;

    /** Named by AccountState's {@code @TypeInfo}. */
    public static final class Factory extends TypeInfoFactory<AccountState> {
        @Override
        public TypeInformation<AccountState> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new AccountStateTypeInfo();
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
    public Class<AccountState> getTypeClass() {
        return AccountState.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<AccountState> createSerializer(SerializerConfig config) {
        return new AccountStateSerializer();
    }

    @Override
    public String toString() {
        return "AccountState (compact layout " + AccountStateSerializer.LAYOUT + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccountStateTypeInfo;
    }

    @Override
    public int hashCode() {
        return AccountStateTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof AccountStateTypeInfo;
    }
}
