package io.churnradar.detect.storage;

import io.churnradar.alerts.HealthTier;
import io.churnradar.alerts.Severity;
import io.churnradar.detect.AccountState;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What a checkpoint records about {@link AccountStateSerializer}: the newest layout it writes and the
 * constant names of the enums it writes as ordinals, so that a later release restores their codes by name.
 *
 * <p>Flink 2.x asks the new job's snapshot about the old one ({@link #resolveSchemaCompatibility}):
 * <ul>
 * <li>this serializer's own older snapshot: compatible as is (it reads every layout it ever wrote), or
 *     after migration when the enums were reordered (values are then read by the old names, written anew);</li>
 * <li>the POJO serializer's snapshot of {@link AccountState} (savepoints of versions 1 to 3): compatible
 *     after migration. Flink then reads every account with the restored POJO serializer and writes it in
 *     this layout: RocksDB when the state is registered, the heap backend as it restores;</li>
 * <li>anything else: incompatible, and the restore fails with Flink's message.</li>
 * </ul>
 */
public final class AccountStateSerializerSnapshot implements TypeSerializerSnapshot<AccountState> {
    private static final int VERSION = 1;

    private int layout = AccountStateSerializer.LAYOUT;
    private String[] severities;
    private String[] tiers;

    /** For Flink, which reads the snapshot into it. */
    public AccountStateSerializerSnapshot() {}

    AccountStateSerializerSnapshot(String[] severities, String[] tiers) {
        this.severities = severities;
        this.tiers = tiers;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(layout);
        writeNames(out, severities);
        writeNames(out, tiers);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion != VERSION) throw new IOException("unknown snapshot version " + readVersion + " of the account state serializer");
        layout = in.readInt();
        severities = readNames(in);
        tiers = readNames(in);
    }

    private static void writeNames(DataOutputView out, String[] names) throws IOException {
        out.writeInt(names.length);
        for (String n : names) out.writeUTF(n);
    }

    private static String[] readNames(DataInputView in) throws IOException {
        String[] names = new String[in.readInt()];
        for (int i = 0; i < names.length; i++) names[i] = in.readUTF();
        return names;
    }

    /** A serializer that reads what the snapshot's serializer wrote: enum codes by its names. */
    @Override
    public TypeSerializer<AccountState> restoreSerializer() {
        return new AccountStateSerializer(byName(Severity.class, severities), byName(HealthTier.class, tiers));
    }

    private static <E extends Enum<E>> E[] byName(Class<E> type, String[] names) {
        E[] out = Arrays.copyOf(type.getEnumConstants(), names.length);
        for (int i = 0; i < names.length; i++) {
            try {
                out[i] = Enum.valueOf(type, names[i]);
            } catch (IllegalArgumentException gone) {
                out[i] = null; // resolveSchemaCompatibility has refused such a snapshot
            }
        }
        return out;
    }

    @Override
    public TypeSerializerSchemaCompatibility<AccountState> resolveSchemaCompatibility(TypeSerializerSnapshot<AccountState> old) {
        if (old instanceof AccountStateSerializerSnapshot prior) {
            if (prior.layout > AccountStateSerializer.LAYOUT
                    || !known(Severity.class, prior.severities) || !known(HealthTier.class, prior.tiers)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            boolean sameCodes = Arrays.equals(prior.severities, names(Severity.values()))
                    && Arrays.equals(prior.tiers, names(HealthTier.values()));
            return sameCodes ? TypeSerializerSchemaCompatibility.compatibleAsIs() : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        if (old instanceof PojoSerializerSnapshot<AccountState> pojo && pojo.restoreSerializer().createInstance() instanceof AccountState) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }

    private static <E extends Enum<E>> boolean known(Class<E> type, String[] names) {
        for (String n : names) {
            try {
                Enum.valueOf(type, n);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    private static String[] names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toArray(String[]::new);
    }
}
