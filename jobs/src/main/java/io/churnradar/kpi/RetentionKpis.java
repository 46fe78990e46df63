package io.churnradar.kpi;

import io.churnradar.retention.RetentionKpi;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * churn.kpis and the backtest's kpis.jsonl: per UTC day and segment (all, plan, MRR band), logo churn,
 * gross and net MRR churn, net revenue retention, the MRR movements and the top cancellation reasons
 * (docs/analysts.md, Retention KPIs), from the detector's MRR movements.
 */
public final class RetentionKpis {
    public static final String SEGMENT_CHANGES_UID = "kpi-segment-changes";
    public static final String SEGMENT_KPIS_UID = "retention-kpis";
    public static final TypeInformation<RetentionKpi> RECORD_TYPE = TypeInformation.of(RetentionKpi.class);

    private RetentionKpis() {}

    /** The daily records of a stream of movements that carries the detector's event time (watermarks). */
    public static DataStream<RetentionKpi> aggregate(DataStream<MrrMovement> movements, KpiSettings settings) {
        return movements
                .flatMap(new BySegment(settings))
                .returns(TypeInformation.of(SegmentChange.class))
                .uid(SEGMENT_CHANGES_UID)
                .name("MRR movements by segment")
                .keyBy(c -> c.segment, Types.STRING)
                .process(new SegmentKpis(settings))
                .returns(RECORD_TYPE)
                .uid(SEGMENT_KPIS_UID)
                .name("Retention KPIs per day and segment");
    }

    /** Each movement as the changes of the segments it touches. */
    static final class BySegment implements FlatMapFunction<MrrMovement, SegmentChange> {
        private static final long serialVersionUID = 1L;
        private final KpiSettings settings;

        BySegment(KpiSettings settings) {
            this.settings = settings;
        }

        @Override
        public void flatMap(MrrMovement m, Collector<SegmentChange> out) {
            for (SegmentChange c : SegmentChange.of(m, settings)) out.collect(c);
        }
    }
}
