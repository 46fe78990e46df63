package io.churnradar.rules;

import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.Rules;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides on each rule set read from the rules topic before anything applies it. Runs with parallelism
 * 1, so that every detector subtask receives the sets in one order.
 *
 * <ul>
 *   <li>A set that is not valid ({@link RulesCheck}: every error with its key path; a de-duplication window longer
 *       than the job's {@code state.ttl} included), a tombstone, a value
 *       that is not UTF-8, or a changed set under the version in force: {@code REJECTED} with its errors
 *       on the {@link #STATUS} output; nothing changes.
 *   <li>Otherwise {@code APPLIED}: its text goes to the main output, which the job broadcasts to the
 *       detector; a churn model it names by file is read, checked against its digest and inlined here,
 *       once ({@link RulesCheck#forDetector}). The status names the model in force ({@code activeModel}). A set equal to the one in force (same version, same rules in any layout) is
 *       acknowledged and re-applied, which changes nothing.
 * </ul>
 *
 * The rules in force (its text, once a set was applied) are operator state, so that the decisions after
 * a restart from a checkpoint follow on from those before it.
 */
public class RulesValidator extends ProcessFunction<RulesUpdate, String> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RulesValidator.class);

    public static final String UID = "validate-rules";
    public static final OutputTag<RulesStatus> STATUS = new OutputTag<>("rules-status", TypeInformation.of(RulesStatus.class));
    /** Operator state: the text of the rule set in force, when one was applied. */
    public static final String CURRENT_RULES_STATE = "current-rules";
    public static final String APPLIED = "ruleSetsApplied";
    public static final String REJECTED = "ruleSetsRejected";

    /** Where the state.ttl a rule set is checked against comes from, as its errors say. */
    private static final String TTL_SOURCE = "the job's configuration";

    private final Rules initial;
    /** The job's {@code state.ttl}: a set whose de-duplication window it cannot keep is rejected; null: none. */
    private final Duration stateTtl;

    private transient ListState<String> stored;
    private transient Rules current;
    private transient String currentText;
    private transient Counter appliedMetric;
    private transient Counter rejectedMetric;

    /** @param initial the rules the job was started with: in force until a set is applied */
    public RulesValidator(Rules initial) {
        this(initial, null);
    }

    /** As above, in a job whose state expires after {@code stateTtl} (null: never). */
    public RulesValidator(Rules initial, Duration stateTtl) {
        this.initial = initial;
        this.stateTtl = stateTtl;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        stored = context.getOperatorStateStore().getListState(new ListStateDescriptor<>(CURRENT_RULES_STATE, Types.STRING));
        current = initial;
        currentText = null;
        for (String text : stored.get()) {
            RulesCheck.Result r = RulesCheck.check(text, "checkpointed rules");
            if (r.valid()) {
                current = r.rules();
                currentText = text;
                // In force on the detector already (its own broadcast state): said, not undone, when the job was
                // restarted with a shorter state.ttl than the set was applied under.
                List<String> ttl = RulesCheck.withinStateTtl(current, stateTtl, TTL_SOURCE);
                if (!ttl.isEmpty()) {
                    LOG.warn("The rules in force ({}, restored) need a longer state.ttl: {}; publish a set within it", current.version, ttl);
                }
            } else {
                LOG.warn("The checkpointed rule set is not valid for this version of the job; rules {} are in force instead: {}",
                        initial.version, r.errors());
            }
        }
    }

    @Override
    public void open(OpenContext openContext) {
        appliedMetric = getRuntimeContext().getMetricGroup().counter(APPLIED);
        rejectedMetric = getRuntimeContext().getMetricGroup().counter(REJECTED);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        stored.update(currentText == null ? List.of() : List.of(currentText));
    }

    /** The version of the rules in force. */
    public String currentVersion() {
        return current.version;
    }

    @Override
    public void processElement(RulesUpdate u, Context ctx, Collector<String> out) {
        String previous = current.version;
        String version = null;
        List<String> errors;
        if (u.problem != null) {
            errors = List.of("(record): " + u.problem);
        } else {
            RulesCheck.Result r = RulesCheck.check(u.text, u.origin(), stateTtl, TTL_SOURCE);
            version = r.version();
            errors = r.errors();
            if (r.valid() && version.equals(previous) && !RulesCheck.sameRules(r.rules(), current)) {
                errors = List.of("version: '" + version + "' is the version in force, with other rules; "
                        + "a changed rule set needs a new version (alerts name the rules by it)");
            }
            String forDetector = null;
            if (errors.isEmpty()) {
                try {
                    forDetector = RulesCheck.forDetector(u.text, r.rules());
                } catch (RuntimeException e) {
                    errors = List.of("model: " + e.getMessage()); // bad input never stops the job
                }
            }
            if (errors.isEmpty()) {
                current = r.rules();
                currentText = forDetector;
                out.collect(currentText);
            }
        }
        RulesDecision decision = errors.isEmpty() ? RulesDecision.APPLIED : RulesDecision.REJECTED;
        if (decision == RulesDecision.APPLIED) {
            appliedMetric.inc();
            LOG.info("Rules {} from {} applied (were {})", version, u.origin(), previous);
        } else {
            rejectedMetric.inc();
            LOG.warn("Rule set {} from {} rejected; rules {} stay in force: {}", version == null ? "(no version)" : version, u.origin(),
                    previous, errors);
        }
        ctx.output(STATUS, RulesStatus.newBuilder()
                .setVersion(version)
                .setStatus(decision)
                .setErrors(errors)
                .setActiveVersion(current.version)
                .setPreviousVersion(previous)
                .setReceivedAt(Instant.ofEpochMilli(ctx.timerService().currentProcessingTime()))
                .setPublishedAt(u.timestamp == null ? null : Instant.ofEpochMilli(u.timestamp))
                .setSourceTopic(u.topic)
                .setSourcePartition(u.partition)
                .setSourceOffset(u.offset)
                .setSourceKey(u.key)
                .setActiveModel(current.model == null ? null : current.model.id())
                .build());
    }
}
