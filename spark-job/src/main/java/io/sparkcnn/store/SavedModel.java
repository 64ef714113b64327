package io.sparkcnn.store;

import io.sparkcnn.model.InputContract;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A stored model as loaded for use: the network (with its updater state) and what it takes and gives, read from
 * the model's {@value InputContract#FILE} or, for a model saved before that file existed, derived from the network
 * ({@link InputContract#derivedFrom()} is then set). The contract has been checked against the network.
 *
 * @param network  the network
 * @param input    its input contract
 * @param location where it was loaded from: an output directory, a model file, or a registry version
 */
public record SavedModel(MultiLayerNetwork network, InputContract input, String location) {
}
