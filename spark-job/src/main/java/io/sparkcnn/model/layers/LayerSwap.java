package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Replaces layer objects of a running network by instances of a subclass that share every field with them
 * (parameters, gradients, helper, listeners, caches): the network's configuration, updater and saved form stay
 * DL4J's, only the methods the subclass overrides change. For {@link NhwcConvolutionLayer} and {@link Bf16DenseLayer}.
 */
final class LayerSwap {
    private static final Logger log = LoggerFactory.getLogger(LayerSwap.class);
    private static final Field LAYER_MAP = field(MultiLayerNetwork.class, "layerMap");
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private LayerSwap() {
    }

    /**
     * Puts a copy of class {@code into} in place of every layer of {@code net} that {@code which} accepts.
     *
     * @return how many layers are now of class {@code into}
     */
    static int swap(MultiLayerNetwork net, Predicate<Layer> which, Class<? extends Layer> into) {
        if (LAYER_MAP == null || UNSAFE == null) {
            return 0;
        }
        Layer[] layers = net.getLayers();
        int swapped = 0;
        for (int i = 0; i < layers.length; i++) {
            if (into.isInstance(layers[i])) {
                swapped++;
            } else if (which.test(layers[i])) {
                try {
                    Layer copy = into.cast(UNSAFE.allocateInstance(into));
                    copyFields(layers[i], copy);
                    replaceByName(net, layers[i], copy);
                    layers[i] = copy;
                    swapped++;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    log.warn("Could not replace layer {} by {}: {}", i, into.getSimpleName(), e.toString());
                }
            }
        }
        return swapped;
    }

    /** Every instance field of {@code from}'s classes, set on {@code to} (a subclass instance), shallowly. */
    private static void copyFields(Object from, Object to) throws IllegalAccessException {
        for (Class<?> k = from.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void replaceByName(MultiLayerNetwork net, Layer old, Layer copy) throws IllegalAccessException {
        Map<String, Layer> byName = (Map<String, Layer>) LAYER_MAP.get(net);
        if (byName != null) {
            byName.replaceAll((name, layer) -> layer == old ? copy : layer);
        }
    }

    private static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("DL4J's {} has no field '{}'; layers keep DL4J's classes: {}", owner.getSimpleName(), name,
                    e.toString());
            return null;
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("No sun.misc.Unsafe; layers keep DL4J's classes: {}", e.toString());
            return null;
        }
    }
}
