package io.sparkcnn.train;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingElementAddFunction;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingElementCombineFunction;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Sums the workers' results of one averaging round (parameters, updater state, score) in partition order, so the
 * average does not depend on the order in which tasks finish. DL4J's own {@code treeAggregate} adds the partial
 * sums as they arrive; with three or more workers floating-point addition then rounds differently from run to run
 * (two {@code local[16]} runs with the same seeds ended at 0.9748 and 0.9750 test accuracy).
 *
 * <p>The shape is fixed by the partition count {@code n}: with {@value #DIRECT} or fewer partitions the driver
 * collects the per-partition results and adds them in order; with more, consecutive groups of
 * {@code ceil(sqrt(n))} partitions are summed in order on the executors (one shuffle, as DL4J's depth-2 tree
 * aggregation does) and the driver adds the group sums in order. The driver thus receives at most about
 * {@code sqrt(n)} parameter vectors per round.</p>
 */
final class PartitionOrderSum {
    /** Up to this many partitions the driver adds the per-partition results itself. */
    static final int DIRECT = 4;

    private PartitionOrderSum() {
    }

    /** The sum of all results, or {@code null} when no partition had any. */
    static ParameterAveragingAggregationTuple sum(JavaRDD<ParameterAveragingTrainingResult> results) {
        int n = results.getNumPartitions();
        JavaRDD<Tuple2<Integer, ParameterAveragingAggregationTuple>> perPartition =
                results.mapPartitionsWithIndex(PartitionOrderSum::partitionSum, true);
        List<Tuple2<Integer, ParameterAveragingAggregationTuple>> parts;
        if (n <= DIRECT) {
            parts = perPartition.collect();
        } else {
            int group = (int) Math.ceil(Math.sqrt(n));
            parts = JavaPairRDD.fromJavaRDD(perPartition)
                    .partitionBy(new Groups(group, (n + group - 1) / group))
                    .mapPartitions(it -> {
                        List<Tuple2<Integer, ParameterAveragingAggregationTuple>> members = new ArrayList<>();
                        it.forEachRemaining(members::add);
                        return members.isEmpty() ? Collections.emptyIterator()
                                : Collections.singletonList(combineInOrder(members)).iterator();
                    })
                    .collect();
        }
        return parts.isEmpty() ? null : combineInOrder(parts)._2();
    }

    private static Iterator<Tuple2<Integer, ParameterAveragingAggregationTuple>> partitionSum(
            Integer index, Iterator<ParameterAveragingTrainingResult> results) throws Exception {
        ParameterAveragingElementAddFunction add = new ParameterAveragingElementAddFunction();
        ParameterAveragingAggregationTuple sum = null;
        while (results.hasNext()) {
            sum = add.call(sum, results.next());
        }
        return sum == null ? Collections.emptyIterator() : Collections.singletonList(new Tuple2<>(index, sum)).iterator();
    }

    /** The sum of the tuples in ascending key order, keyed by the smallest key. */
    static Tuple2<Integer, ParameterAveragingAggregationTuple> combineInOrder(
            List<Tuple2<Integer, ParameterAveragingAggregationTuple>> parts) {
        List<Tuple2<Integer, ParameterAveragingAggregationTuple>> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparing(Tuple2::_1));
        ParameterAveragingElementCombineFunction combine = new ParameterAveragingElementCombineFunction();
        ParameterAveragingAggregationTuple sum = null;
        for (Tuple2<Integer, ParameterAveragingAggregationTuple> part : sorted) {
            try {
                sum = combine.call(sum, part._2());
            } catch (Exception e) { // DL4J's function declares Exception; it throws only unchecked ones
                throw new IllegalStateException("cannot add the workers' results: " + e.getMessage(), e);
            }
        }
        return new Tuple2<>(sorted.get(0)._1(), sum);
    }

    /** Partition {@code i} goes to group {@code i / size}. */
    private static final class Groups extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int size;
        private final int groups;

        Groups(int size, int groups) {
            this.size = size;
            this.groups = groups;
        }

        @Override
        public int numPartitions() {
            return groups;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key / size;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Groups g && g.size == size && g.groups == groups;
        }

        @Override
        public int hashCode() {
            return 31 * size + groups;
        }
    }
}
