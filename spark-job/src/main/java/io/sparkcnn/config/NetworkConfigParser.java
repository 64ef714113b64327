package io.sparkcnn.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link NetworkConfig} from its HOCON form (see {@code conf/networks/*.conf}), adding one message per
 * problem to a shared error list instead of throwing, so that every config error is reported at once. Messages
 * name the key, e.g. {@code model.network.layers[2].filters must be >= 1, got 0}.
 */
final class NetworkConfigParser {
    static final Set<String> NETWORK_KEYS = Set.of("updater", "weight-init", "regularization", "padding-kind", "layers");
    static final Set<String> UPDATER_KEYS =
            Set.of("type", "learning-rate", "rho", "epsilon", "beta1", "beta2", "momentum", "schedule");
    static final Set<String> SCHEDULE_KEYS = Set.of("type", "gamma", "every");
    static final Set<String> PENALTY_KEYS = Set.of("type", "strength", "l1", "l2", "power", "p", "epsilon");
    static final Map<String, Set<String>> LAYER_KEYS = Map.of(
            "conv", Set.of("type", "name", "filters", "kernel", "stride", "padding", "padding-kind", "activation",
                    "regularization"),
            "max-pool", Set.of("type", "name", "size", "stride"),
            "avg-pool", Set.of("type", "name", "size", "stride"),
            "dropout", Set.of("type", "name", "rate"),
            "batch-norm", Set.of("type", "name", "momentum", "epsilon"),
            "dense", Set.of("type", "name", "units", "activation", "regularization"),
            "output", Set.of("type", "name", "units", "activation", "loss", "regularization"));
    /** DL4J activations a layer may name (lower case); {@code linear} is accepted for {@code identity}. */
    static final List<String> ACTIVATIONS = List.of("identity", "relu", "leakyrelu", "elu", "selu", "gelu", "swish",
            "sigmoid", "hardsigmoid", "tanh", "hardtanh", "softplus", "softsign", "softmax", "relu6", "mish");
    /** Loss functions an output layer may name. */
    static final List<String> LOSSES = List.of("mcxent", "negativeloglikelihood", "squared_loss", "mean_absolute_error", "kl_divergence");

    /** Keras's default optimizer settings, for networks that name none. */
    private static final Config DEFAULT_UPDATER = ConfigFactory.parseString("type = adam, learning-rate = 0.001, epsilon = 1e-7");

    private final List<String> errors;
    private String defaultPaddingKind = "zero";

    NetworkConfigParser(List<String> errors) {
        this.errors = errors;
    }

    NetworkConfig parse(Config c, String path) {
        unknownKeys(c, path, NETWORK_KEYS);
        UpdaterConfig updater = updater(c.hasPath("updater") ? object(c, "updater", path) : DEFAULT_UPDATER,
                path + ".updater");
        String weightInit = c.hasPath("weight-init") ? string(c, "weight-init", path) : "xavier-uniform";
        if (!weightInit.matches("[a-z0-9-]+")) {
            errors.add(path + ".weight-init must be a DL4J weight initialization in lower case with dashes "
                    + "(e.g. xavier-uniform, relu, lecun-normal), got '" + weightInit + "'");
        }
        PenaltyConfig penalty = c.hasPath("regularization")
                ? penalty(object(c, "regularization", path), path + ".regularization") : PenaltyConfig.NONE;
        String kind = oneOf(c, "padding-kind", path, PaddingConfig.KINDS, "zero");
        defaultPaddingKind = kind == null ? "zero" : kind;
        List<LayerConfig> layers = new ArrayList<>();
        if (!c.hasPath("layers")) {
            errors.add(path + ".layers is missing: a list of layers, input to output");
        } else {
            List<? extends Config> list;
            try {
                list = c.getConfigList("layers");
            } catch (ConfigException e) {
                errors.add(path + ".layers must be a list of objects such as { type = dense, units = 128 }");
                list = List.of();
            }
            for (int i = 0; i < list.size(); i++) {
                LayerConfig layer = layer(list.get(i), path + ".layers[" + i + "]", i, list.size());
                if (layer != null) {
                    layers.add(layer);
                }
            }
            checkOrder(layers, path);
        }
        return new NetworkConfig(updater == null ? updater(DEFAULT_UPDATER, path + ".updater") : updater,
                weightInit, penalty == null ? PenaltyConfig.NONE : penalty, layers);
    }

    private void checkOrder(List<LayerConfig> layers, String path) {
        if (layers.isEmpty()) {
            errors.add(path + ".layers must hold at least an output layer");
            return;
        }
        boolean flat = false;
        for (int i = 0; i < layers.size(); i++) {
            LayerConfig l = layers.get(i);
            boolean last = i == layers.size() - 1;
            if (l.type().equals("output") != last) {
                errors.add(path + ".layers[" + i + "]: " + (last
                        ? "the last layer must be of type output, got " + l.type()
                        : "only the last layer may be of type output"));
            }
            if (l.type().equals("dense")) {
                flat = true;
            } else if (flat && l.isSpatial()) {
                errors.add(path + ".layers[" + i + "]: a " + l.type() + " layer cannot follow a dense layer");
            }
        }
    }

    private UpdaterConfig updater(Config c, String path) {
        if (c == null) {
            return null;
        }
        unknownKeys(c, path, UPDATER_KEYS);
        String type = oneOf(c, "type", path, UpdaterConfig.TYPES, null);
        boolean adadelta = "adadelta".equals(type);
        boolean rmsprop = "rmsprop".equals(type);
        double lr = positive(c, "learning-rate", path, switch (type == null ? "" : type) {
            case "sgd", "nesterovs", "adagrad" -> 0.01;
            default -> 1e-3;
        });
        double rho = openUnit(c, "rho", path, adadelta ? 0.95 : rmsprop ? 0.9 : 0.95);
        double eps = positive(c, "epsilon", path, adadelta ? 1e-6 : 1e-7);
        double beta1 = unitLeft(c, "beta1", path, 0.9);
        double beta2 = unitLeft(c, "beta2", path, 0.999);
        double momentum = unitLeft(c, "momentum", path, 0.9);
        UpdaterConfig.Schedule schedule = c.hasPath("schedule") ? schedule(object(c, "schedule", path), path + ".schedule")
                : UpdaterConfig.Schedule.NONE;
        if (adadelta && schedule != null && !schedule.isNone()) {
            errors.add(path + ".schedule: adadelta has no learning rate to schedule, got type " + schedule.type());
        }
        return type == null ? null : new UpdaterConfig(type, lr, rho, eps, beta1, beta2, momentum,
                schedule == null ? UpdaterConfig.Schedule.NONE : schedule);
    }

    private UpdaterConfig.Schedule schedule(Config c, String path) {
        if (c == null) {
            return null;
        }
        unknownKeys(c, path, SCHEDULE_KEYS);
        String type = oneOf(c, "type", path, UpdaterConfig.Schedule.TYPES, "none");
        double gamma = positive(c, "gamma", path, 0.95);
        if (gamma > 1) {
            errors.add(path + ".gamma must be in (0, 1], got " + gamma);
        }
        int every = atLeast(c, "every", path, 1, 1);
        return type == null ? null : new UpdaterConfig.Schedule(type, gamma, every);
    }

    private PenaltyConfig penalty(Config c, String path) {
        if (c == null) {
            return null;
        }
        unknownKeys(c, path, PENALTY_KEYS);
        String type = oneOf(c, "type", path, PenaltyConfig.TYPES, "none");
        double strength = nonNegative(c, "strength", path, 0);
        double l1 = nonNegative(c, "l1", path, 0);
        double l2 = nonNegative(c, "l2", path, 0);
        double power = nonNegative(c, "power", path, 2);
        double p = openUnit(c, "p", path, 0.5);
        double eps = positive(c, "epsilon", path, 1e-8);
        if (type == null) {
            return null;
        }
        boolean needsStrength = List.of("l2", "l1", "index-power", "lp").contains(type);
        if (needsStrength && !(strength > 0)) {
            errors.add(path + ".strength must be > 0 for regularization type " + type + " (its λ), got "
                    + (c.hasPath("strength") ? strength : "nothing"));
        }
        if (type.equals("elastic-net") && !(l1 > 0 && l2 > 0)) {
            errors.add(path + ": elastic-net needs l1 > 0 and l2 > 0 (for one alone use type l1 or l2), got l1 = "
                    + l1 + ", l2 = " + l2);
        }
        return new PenaltyConfig(type, strength, l1, l2, power, p, eps);
    }

    private LayerConfig layer(Config c, String path, int index, int count) {
        String type = oneOf(c, "type", path, LayerConfig.TYPES, null);
        if (type == null) {
            return null;
        }
        unknownKeys(c, path, LAYER_KEYS.get(type));
        String name = c.hasPath("name") ? string(c, "name", path) : null;
        return switch (type) {
            case "conv" -> {
                int[] kernel = pair(c, "kernel", path, null);
                int[] stride = pair(c, "stride", path, new int[]{1, 1});
                PaddingConfig padding = padding(c, path);
                yield new LayerConfig(type, name == null ? "conv2d_" + (index + 1) : name,
                        atLeast(c, "filters", path, 1, -1), kernel[0], kernel[1], stride[0], stride[1], padding,
                        activation(c, path, "identity"), 0, "", penaltyOrNull(c, path), 0, 0);
            }
            case "max-pool", "avg-pool" -> {
                int[] size = pair(c, "size", path, null);
                int[] stride = pair(c, "stride", path, size);
                yield new LayerConfig(type, name == null ? (type.equals("max-pool") ? "max_pooling2d_" : "average_pooling2d_")
                        + (index + 1) : name, 0, size[0], size[1], stride[0], stride[1], PaddingConfig.NONE,
                        "identity", 0, "", null, 0, 0);
            }
            case "dropout" -> {
                double rate = c.hasPath("rate") ? number(c, "rate", path, 0) : missing(path, "rate");
                if (!(rate >= 0 && rate < 1)) {
                    errors.add(path + ".rate must be in [0, 1) (the fraction of units dropped, as in Keras), got " + rate);
                }
                yield new LayerConfig(type, name == null ? "dropout_" + (index + 1) : name, 0, 0, 0, 0, 0,
                        PaddingConfig.NONE, "identity", rate, "", null, 0, 0);
            }
            case "batch-norm" -> {
                double momentum = unitLeft(c, "momentum", path, 0.99);
                double epsilon = positive(c, "epsilon", path, 1e-3);
                yield new LayerConfig(type, name == null ? "batch_normalization_" + (index + 1) : name, 0, 0, 0, 0, 0,
                        PaddingConfig.NONE, "identity", 0, "", null, momentum, epsilon);
            }
            case "dense" -> new LayerConfig(type, name == null ? "dense_" + (index + 1) : name,
                    atLeast(c, "units", path, 1, -1), 0, 0, 0, 0, PaddingConfig.NONE,
                    activation(c, path, "identity"), 0, "", penaltyOrNull(c, path), 0, 0);
            default -> new LayerConfig(type, name == null ? "predictions" : name,
                    atLeast(c, "units", path, 1, 10), 0, 0, 0, 0, PaddingConfig.NONE,
                    activation(c, path, "softmax"), 0, oneOf(c, "loss", path, LOSSES, "mcxent"),
                    penaltyOrNull(c, path), 0, 0);
        };
    }

    private PenaltyConfig penaltyOrNull(Config c, String path) {
        return c.hasPath("regularization") ? penalty(object(c, "regularization", path), path + ".regularization") : null;
    }

    private PaddingConfig padding(Config c, String path) {
        String kind = oneOf(c, "padding-kind", path, PaddingConfig.KINDS, defaultPaddingKind);
        kind = kind == null ? defaultPaddingKind : kind;
        if (!c.hasPath("padding")) {
            return new PaddingConfig(kind, false, 0, 0, 0, 0);
        }
        ConfigValue v = c.getValue("padding");
        String key = path + ".padding";
        String expected = " must be a number of pixels, [top, bottom, left, right], \"same\" or \"valid\"";
        if (v.valueType() == ConfigValueType.STRING) {
            String s = v.unwrapped().toString().trim().toLowerCase(Locale.ROOT);
            if (s.equals("same")) {
                return new PaddingConfig(kind, true, 0, 0, 0, 0);
            }
            if (s.equals("valid")) {
                return new PaddingConfig(kind, false, 0, 0, 0, 0);
            }
            try {
                int n = Integer.parseInt(s);
                return n >= 0 ? new PaddingConfig(kind, false, n, n, n, n) : bad(key + expected + ", got " + s);
            } catch (NumberFormatException e) {
                return bad(key + expected + ", got '" + s + "'");
            }
        }
        if (v.valueType() == ConfigValueType.NUMBER) {
            int n = ((Number) v.unwrapped()).intValue();
            return n >= 0 ? new PaddingConfig(kind, false, n, n, n, n) : bad(key + expected + ", got " + n);
        }
        if (v.valueType() == ConfigValueType.LIST) {
            List<Integer> sides = ints((ConfigList) v);
            if (sides != null && sides.size() == 4 && sides.stream().allMatch(n -> n >= 0)) {
                return new PaddingConfig(kind, false, sides.get(0), sides.get(1), sides.get(2), sides.get(3));
            }
        }
        return bad(key + expected + ", got " + v.render());
    }

    private PaddingConfig bad(String message) {
        errors.add(message);
        return PaddingConfig.NONE;
    }

    /** An int or a two-element list [height, width], each >= 1. */
    private int[] pair(Config c, String key, String path, int[] fallback) {
        if (!c.hasPath(key)) {
            if (fallback == null) {
                missing(path, key);
                return new int[]{1, 1};
            }
            return fallback;
        }
        ConfigValue v = c.getValue(key);
        List<Integer> values = v.valueType() == ConfigValueType.LIST ? ints((ConfigList) v)
                : v.valueType() == ConfigValueType.NUMBER ? List.of(((Number) v.unwrapped()).intValue()) : null;
        if (values != null && values.size() == 1) {
            values = List.of(values.get(0), values.get(0));
        }
        if (values == null || values.size() != 2 || values.get(0) < 1 || values.get(1) < 1) {
            errors.add(path + "." + key + " must be a positive number of pixels or [height, width], got " + v.render());
            return new int[]{1, 1};
        }
        return new int[]{values.get(0), values.get(1)};
    }

    private static List<Integer> ints(ConfigList list) {
        List<Integer> out = new ArrayList<>();
        for (ConfigValue item : list) {
            if (item.valueType() != ConfigValueType.NUMBER) {
                return null;
            }
            Number n = (Number) item.unwrapped();
            if (n.doubleValue() != n.intValue()) {
                return null;
            }
            out.add(n.intValue());
        }
        return out;
    }

    private String activation(Config c, String path, String fallback) {
        String a = c.hasPath("activation") ? string(c, "activation", path).toLowerCase(Locale.ROOT) : fallback;
        a = a.equals("linear") ? "identity" : a;
        if (!ACTIVATIONS.contains(a)) {
            errors.add(path + ".activation must be one of " + ACTIVATIONS + " (or linear), got '" + a + "'");
        }
        return a;
    }

    private String oneOf(Config c, String key, String path, List<String> allowed, String fallback) {
        if (!c.hasPath(key)) {
            if (fallback == null) {
                errors.add(path + "." + key + " is missing: one of " + allowed);
            }
            return fallback;
        }
        String v = string(c, key, path).toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            errors.add(path + "." + key + " must be one of " + allowed + ", got '" + v + "'");
            return null;
        }
        return v;
    }

    private Config object(Config c, String key, String path) {
        try {
            return c.getConfig(key);
        } catch (ConfigException e) {
            errors.add(path + "." + key + " must be an object such as { type = ... }, got " + c.getValue(key).render());
            return null;
        }
    }

    private String string(Config c, String key, String path) {
        try {
            return c.getString(key);
        } catch (ConfigException e) {
            errors.add(path + "." + key + " must be a string, got " + c.getValue(key).render());
            return "";
        }
    }

    private double number(Config c, String key, String path, double fallback) {
        if (!c.hasPath(key)) {
            return fallback;
        }
        try {
            return c.getDouble(key);
        } catch (ConfigException e) {
            errors.add(path + "." + key + " must be a number, got " + c.getValue(key).render());
            return fallback;
        }
    }

    private double missing(String path, String key) {
        errors.add(path + "." + key + " is missing");
        return 0;
    }

    private int atLeast(Config c, String key, String path, int min, int fallback) {
        if (!c.hasPath(key)) {
            if (fallback < 0) {
                missing(path, key);
                return min;
            }
            return fallback;
        }
        double v = number(c, key, path, min);
        if (v != Math.rint(v) || v < min) {
            errors.add(path + "." + key + " must be a whole number >= " + min + ", got " + c.getValue(key).render());
            return min;
        }
        return (int) v;
    }

    private double positive(Config c, String key, String path, double fallback) {
        double v = number(c, key, path, fallback);
        if (!(v > 0)) {
            errors.add(path + "." + key + " must be > 0, got " + v);
        }
        return v;
    }

    private double nonNegative(Config c, String key, String path, double fallback) {
        double v = number(c, key, path, fallback);
        if (!(v >= 0)) {
            errors.add(path + "." + key + " must be >= 0, got " + v);
        }
        return v;
    }

    private double openUnit(Config c, String key, String path, double fallback) {
        double v = number(c, key, path, fallback);
        if (!(v > 0 && v < 1)) {
            errors.add(path + "." + key + " must be in (0, 1), got " + v);
        }
        return v;
    }

    private double unitLeft(Config c, String key, String path, double fallback) {
        double v = number(c, key, path, fallback);
        if (!(v >= 0 && v < 1)) {
            errors.add(path + "." + key + " must be in [0, 1), got " + v);
        }
        return v;
    }

    private void unknownKeys(Config c, String path, Set<String> known) {
        for (String key : c.root().keySet()) {
            if (!known.contains(key)) {
                errors.add("unknown key '" + path + "." + key + "' (expected one of " + known.stream().sorted().toList() + ")");
            }
        }
    }
}
