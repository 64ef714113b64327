/**
 * The regularizers of the lecture as DL4J {@link org.nd4j.linalg.learning.regularization.Regularization}s:
 * ridge (L2), lasso (L1), elastic net, a penalty growing with the coefficient's index, and a smoothed Lp penalty
 * with {@code 0 < p < 1}.
 *
 * <p>Each penalty acts on one parameter array {@code β} at a time and is a term of the objective: DL4J adds
 * {@link org.nd4j.linalg.learning.regularization.Regularization#score score(β)} to the minibatch-averaged loss
 * (so {@code net.score()} and the printed training loss include it), and, at the
 * {@link org.nd4j.linalg.learning.regularization.Regularization.ApplyStep#BEFORE_UPDATER BEFORE_UPDATER} step,
 * adds the penalty's gradient to the averaged loss gradient before the updater (SGD, Adam, ...) sees it. So the
 * gradient left by {@code computeGradientAndScore()} does not contain it yet; the updater step adds it.
 *
 * <p>Attach a penalty to the weights of each layer with the layer builder's {@code .regularization(List.of(p))}.
 * Biases are penalized only by {@code .regularizationBias(...)}, which defaults to none, at layer or network level.
 * The network-level {@code NeuralNetConfiguration.Builder.regularization(...)} never reaches the biases either,
 * but DL4J 1.0.0-M2.1 merges it into the layers badly: any regularization other than its own
 * {@code L1Regularization}/{@code L2Regularization} is added twice to a layer without a list of its own (doubling
 * the penalty) and appended to a layer's own list. Hence the layer-level form.
 *
 * <p>All penalties are immutable, serialize to JSON with their constructor arguments (so a configuration
 * round-trips through {@code toJson()/fromJson()} and {@code ModelSerializer}) and compute with ND4J ops in the
 * data type of the parameters.
 */
package io.sparkcnn.model.regularization;
