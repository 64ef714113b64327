package io.sparkcnn.data;

import io.sparkcnn.TestData;
import io.sparkcnn.data.PngImageReader.Polarity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PNGs of every colour type become the grey bytes an idx file would hold. */
@Tag("unit")
class PngImageReaderTest {
    private static final PngImageReader.Options FOUR_BY_THREE = new PngImageReader.Options(3, 4, false, false);
    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GREY_ALPHA = 4;
    private static final int RGBA = 6;

    /** The first image of the MNIST test set (a 7), 28x28. */
    private static byte[] digit;

    @BeforeAll
    static void readDigit() throws IOException {
        try (InputStream in = Files.newInputStream(TestData.mnistDir().resolve("t10k-images-idx3-ubyte"))) {
            digit = Arrays.copyOf(IdxReader.readImages(in, "t10k-images-idx3-ubyte", 28, 28).pixels(), 28 * 28);
        }
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] read(byte[] png, PngImageReader.Options options) throws IOException {
        return PngImageReader.read(new ByteArrayInputStream(png), "digit.png", options);
    }

    private static PngImageReader.Image decode(byte[] png, PngImageReader.Options options) throws IOException {
        return PngImageReader.decode(new ByteArrayInputStream(png), "digit.png", options);
    }

    private static PngImageReader.Options options(int rows, int cols, boolean resize, Polarity polarity) {
        return new PngImageReader.Options(rows, cols, resize, polarity, PngImageReader.DEFAULT_MAX_PIXELS);
    }

    /** A 4x3 (width x height) grey image with pixel values 0, 20, 40, … */
    private static BufferedImage grey() {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 12; i++) {
            image.getRaster().setSample(i % 4, i / 4, 0, i * 20);
        }
        return image;
    }

    private static byte[] ramp() {
        byte[] b = new byte[12];
        for (int i = 0; i < 12; i++) {
            b[i] = (byte) (i * 20);
        }
        return b;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    // ---- hand-written PNG files: chunks with CRC-32, image data deflated with zlib, filter type 0 on every row ----

    private static byte[] chunk(String type, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        CRC32 crc = new CRC32();
        byte[] name = type.getBytes(StandardCharsets.ISO_8859_1);
        crc.update(name);
        crc.update(data);
        try {
            out.writeInt(data.length);
            out.write(name);
            out.write(data);
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] ihdr(long width, long height, int bitDepth, int colourType) {
        byte[] d = new byte[13];
        putInt(d, 0, width);
        putInt(d, 4, height);
        d[8] = (byte) bitDepth;
        d[9] = (byte) colourType;
        return d;
    }

    private static void putInt(byte[] b, int offset, long v) {
        for (int i = 0; i < 4; i++) {
            b[offset + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] signatureAndHeader(long width, long height, int bitDepth, int colourType) {
        return concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                chunk("IHDR", ihdr(width, height, bitDepth, colourType)));
    }

    /**
     * A PNG of {@code samples[y][x * channels + c]} (each 0 to 2^bitDepth - 1), with {@code extra} chunks (PLTE,
     * tRNS) between IHDR and IDAT.
     */
    private static byte[] handWritten(int width, int bitDepth, int colourType, int[][] samples, byte[]... extra)
            throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int[] row : samples) {
            raw.write(0);
            if (bitDepth < 8) {
                int acc = 0;
                int bits = 0;
                for (int s : row) {
                    acc = (acc << bitDepth) | s;
                    bits += bitDepth;
                    if (bits == 8) {
                        raw.write(acc);
                        acc = 0;
                        bits = 0;
                    }
                }
                if (bits > 0) {
                    raw.write(acc << (8 - bits));
                }
            } else {
                for (int s : row) {
                    if (bitDepth == 16) {
                        raw.write(s >>> 8);
                    }
                    raw.write(s & 0xFF);
                }
            }
        }
        ByteArrayOutputStream zlib = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(zlib)) {
            out.write(raw.toByteArray());
        }
        return concat(signatureAndHeader(width, samples.length, bitDepth, colourType), concat(extra),
                chunk("IDAT", zlib.toByteArray()), chunk("IEND", new byte[0]));
    }

    // ---- the behaviours of the first version ----

    @Test
    void greyPixelsArePassedThroughUnchangedRowMajor() throws IOException {
        assertArrayEquals(ramp(), read(png(grey()), FOUR_BY_THREE));
        PngImageReader.Image image = decode(png(grey()), FOUR_BY_THREE);
        assertFalse(image.inverted());
        assertEquals(4, image.width());
        assertEquals(3, image.height());
    }

    @Test
    void sixteenBitGreyIsRoundedToEightBits() throws IOException {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_USHORT_GRAY);
        for (int i = 0; i < 12; i++) {
            image.getRaster().setSample(i % 4, i / 4, 0, i * 20 * 257);
        }
        assertArrayEquals(ramp(), read(png(image), FOUR_BY_THREE));
    }

    @Test
    void colourBecomesLuminanceAndInvertTurnsDarkInkLight() throws IOException {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFFFFFF);
        image.setRGB(1, 0, 0xFF0000);
        image.setRGB(2, 0, 0x00FF00);
        image.setRGB(3, 0, 0x0000FF);
        byte[] grey = read(png(image), FOUR_BY_THREE);
        assertEquals(255, grey[0] & 0xFF);
        assertEquals(76, grey[1] & 0xFF, "0.299 * 255");
        assertEquals(150, grey[2] & 0xFF, "0.587 * 255");
        assertEquals(29, grey[3] & 0xFF, "0.114 * 255");
        assertEquals(0, grey[4]);
        byte[] inverted = read(png(image), new PngImageReader.Options(3, 4, false, true));
        assertEquals(0, inverted[0]);
        assertEquals(255 - 76, inverted[1] & 0xFF);
        assertEquals(255, inverted[4] & 0xFF);
    }

    @Test
    void transparencyIsBackgroundBeforeAndAfterInversion() throws IOException {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0xFFFFFFFF);
        byte[] grey = read(png(image), FOUR_BY_THREE);
        assertEquals(255, grey[0] & 0xFF);
        assertEquals(0, grey[1], "transparent pixels are black background");
        byte[] inverted = read(png(image), new PngImageReader.Options(3, 4, false, true));
        assertEquals(0, inverted[0]);
        assertEquals(0, inverted[1], "transparent pixels are background after inversion too");
    }

    @Test
    void anotherSizeIsRefusedNamingFileAndSizesOrScaledWithResize() throws IOException {
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> read(png(grey()), new PngImageReader.Options(28, 28, false, false)));
        assertEquals("digit.png: file: expected a 28x28 image (width x height, the model's input size; --resize scales "
                + "other sizes), found a 4x3 image", e.getMessage());

        BufferedImage big = new BufferedImage(8, 6, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                big.getRaster().setSample(x, y, 0, 100);
            }
        }
        byte[] scaled = read(png(big), new PngImageReader.Options(3, 4, true, false));
        byte[] expected = new byte[12];
        Arrays.fill(expected, (byte) 100);
        assertArrayEquals(expected, scaled, "a flat image stays flat");
    }

    @Test
    void dataThatIsNotAPngIsRefusedNamingTheFile() throws IOException {
        InvalidDataException notPng = assertThrows(InvalidDataException.class,
                () -> read("label,pixel0\n".getBytes(), FOUR_BY_THREE));
        assertEquals("digit.png: offset 0: expected the PNG signature 89 50 4e 47 0d 0a 1a 0a, found bytes "
                + "6c 61 62 65 6c 2c 70 69 (not a PNG)", notPng.getMessage());
        assertEquals("digit.png: offset 0: expected the PNG signature 89 50 4e 47 0d 0a 1a 0a, found an empty file",
                assertThrows(InvalidDataException.class, () -> read(new byte[0], FOUR_BY_THREE)).getMessage());
        byte[] truncated = Arrays.copyOf(png(grey()), 40);
        InvalidDataException broken = assertThrows(InvalidDataException.class, () -> read(truncated, FOUR_BY_THREE));
        assertEquals("digit.png", broken.file());
        assertEquals(true, broken.getMessage().startsWith("digit.png: file: expected a readable PNG image, found "),
                broken.getMessage());
        byte[] corrupt = png(grey());
        for (int i = 45; i < corrupt.length - 12; i++) {
            corrupt[i] ^= 0x5A;
        }
        InvalidDataException undecodable = assertThrows(InvalidDataException.class, () -> read(corrupt, FOUR_BY_THREE));
        assertTrue(undecodable.getMessage().startsWith("digit.png: file: expected a readable PNG image, found "),
                undecodable.getMessage());
    }

    // ---- options ----

    @Test
    void optionsKeepTheBooleanConstructorAndCheckTheirValues() throws IOException {
        assertEquals(options(28, 28, true, Polarity.DARK_ON_LIGHT), new PngImageReader.Options(28, 28, true, true));
        assertEquals(options(28, 28, false, Polarity.LIGHT_ON_DARK), new PngImageReader.Options(28, 28, false, false));
        assertEquals(16_777_216L, PngImageReader.DEFAULT_MAX_PIXELS);
        assertEquals(160L << 20, PngImageReader.maxFileBytes(PngImageReader.DEFAULT_MAX_PIXELS), "160 MiB");
        assertThrows(IllegalArgumentException.class, () -> options(0, 28, false, Polarity.AUTO));
        assertThrows(IllegalArgumentException.class, () -> options(28, 28, false, null));
        assertThrows(IllegalArgumentException.class,
                () -> new PngImageReader.Options(28, 28, false, Polarity.AUTO, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new PngImageReader.Options(28, 28, false, Polarity.AUTO, PngImageReader.MAX_MAX_PIXELS + 1));
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(options(28, 28, true, Polarity.AUTO)); // executors get the options in a Spark closure
        }
    }

    // ---- every PNG kind, hand-written where ImageIO cannot write it ----

    @Test
    void eightBitGreyHandWritten() throws IOException {
        byte[] png = handWritten(4, 8, GREY, new int[][] {{0, 20, 40, 60}, {80, 100, 120, 140}, {160, 180, 200, 220}});
        assertArrayEquals(ramp(), read(png, FOUR_BY_THREE));
    }

    @Test
    void sixteenBitGreyHandWrittenIsWithinOneOfItsEightBitValue() throws IOException {
        int[][] samples = {{0, 65535, 32768, 32767}, {257, 385, 128, 65407}, {1000, 30000, 50000, 60000}};
        byte[] grey = read(handWritten(4, 16, GREY, samples), FOUR_BY_THREE);
        for (int i = 0; i < 12; i++) {
            double exact = samples[i / 4][i % 4] * 255.0 / 65535;
            assertTrue(Math.abs((grey[i] & 0xFF) - exact) <= 0.5 + 1e-6, i + ": " + (grey[i] & 0xFF) + " vs " + exact);
        }
        assertEquals(255, grey[1] & 0xFF);
        assertEquals(128, grey[2] & 0xFF);
    }

    @Test
    void oneTwoAndFourBitGreyAreScaledToTheFullRange() throws IOException {
        byte[] one = read(handWritten(4, 1, GREY, new int[][] {{1, 0, 1, 1}, {0, 0, 0, 0}, {1, 1, 1, 1}}), FOUR_BY_THREE);
        assertArrayEquals(bytes(255, 0, 255, 255, 0, 0, 0, 0, 255, 255, 255, 255), one);
        byte[] two = read(handWritten(4, 2, GREY, new int[][] {{0, 1, 2, 3}, {3, 2, 1, 0}, {0, 0, 3, 3}}),
                FOUR_BY_THREE);
        assertArrayEquals(bytes(0, 85, 170, 255, 255, 170, 85, 0, 0, 0, 255, 255), two);
        byte[] four = read(handWritten(4, 4, GREY, new int[][] {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 14, 15}}),
                FOUR_BY_THREE);
        assertArrayEquals(bytes(0, 17, 34, 51, 68, 85, 102, 119, 136, 153, 238, 255), four);
    }

    @Test
    void greyWithATransparentValueTakesTheBackground() throws IOException {
        byte[] trns = chunk("tRNS", new byte[] {0, 50});
        byte[] png = handWritten(4, 8, GREY, new int[][] {{50, 200, 50, 50}, {50, 50, 50, 50}, {50, 50, 50, 0}}, trns);
        byte[] light = read(png, FOUR_BY_THREE);
        assertEquals(200, light[1] & 0xFF);
        assertEquals(0, light[0], "grey 50 is transparent: black background");
        assertEquals(0, light[11]);
        byte[] dark = read(png, options(3, 4, false, Polarity.DARK_ON_LIGHT));
        assertEquals(55, dark[1] & 0xFF);
        assertEquals(0, dark[0], "white background, inverted");
        assertEquals(255, dark[11] & 0xFF, "opaque black ink");
    }

    @Test
    void greyAlphaIsCompositedOntoTheBackground() throws IOException {
        int[][] samples = {{255, 255, 255, 0, 255, 128, 0, 128}, {0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0}};
        byte[] png = handWritten(4, 8, GREY_ALPHA, samples);
        byte[] light = read(png, FOUR_BY_THREE);
        assertEquals(255, light[0] & 0xFF, "opaque white");
        assertEquals(0, light[1], "transparent white is black background");
        assertEquals(128, light[2] & 0xFF, "white at alpha 128/255: 128");
        assertEquals(0, light[3], "black at alpha 128/255 on black");
        byte[] dark = read(png, options(3, 4, false, Polarity.DARK_ON_LIGHT));
        assertEquals(0, dark[0], "opaque white paper");
        assertEquals(0, dark[1], "transparent: white paper");
        assertEquals(0, dark[2]);
        assertEquals(128, dark[3] & 0xFF, "black at alpha 128/255 on white: 127, inverted 128");
        int[][] deep = {{65535, 65535, 65535, 0, 65535, 32896, 0, 32896}, {0, 0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0, 0}};
        assertArrayEquals(light, read(handWritten(4, 16, GREY_ALPHA, deep), FOUR_BY_THREE), "16-bit grey+alpha");
    }

    @Test
    void rgbBecomesLuminanceAtEightAndSixteenBits() throws IOException {
        int[][] samples = {{255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255}, {10, 20, 30, 200, 100, 50, 0, 0, 0, 0, 0, 0},
                {1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252}};
        byte[] expected = new byte[12];
        for (int i = 0; i < 12; i++) {
            int[] row = samples[i / 4];
            int c = (i % 4) * 3;
            expected[i] = (byte) Math.round(0.299 * row[c] + 0.587 * row[c + 1] + 0.114 * row[c + 2]);
        }
        assertArrayEquals(bytes(255, 76, 150, 29), Arrays.copyOf(expected, 4));
        assertArrayEquals(expected, read(handWritten(4, 8, RGB, samples), FOUR_BY_THREE));
        int[][] deep = new int[3][];
        for (int y = 0; y < 3; y++) {
            deep[y] = Arrays.stream(samples[y]).map(v -> v * 257).toArray();
        }
        assertArrayEquals(expected, read(handWritten(4, 16, RGB, deep), FOUR_BY_THREE));
    }

    @Test
    void rgbWithATransparentColourTakesTheBackground() throws IOException {
        byte[] trns = chunk("tRNS", new byte[] {0, (byte) 255, 0, (byte) 255, 0, (byte) 255});
        int[][] samples = {{255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255}, new int[12], new int[12]};
        byte[] png = handWritten(4, 8, RGB, samples, trns);
        assertArrayEquals(bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), read(png, FOUR_BY_THREE),
                "white is transparent: black background");
        byte[] dark = read(png, options(3, 4, false, Polarity.DARK_ON_LIGHT));
        assertArrayEquals(bytes(0, 255, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255), dark);
    }

    @Test
    void rgbaWithATransparentBackground() throws IOException {
        int[][] samples = new int[3][16];
        for (int x = 0; x < 4; x++) {
            samples[1][x * 4 + 3] = 255; // an opaque black stroke across the middle row, the rest transparent
        }
        samples[0][3] = 128; // a half-transparent black pixel at (0, 0)
        byte[] png = handWritten(4, 8, RGBA, samples);
        byte[] stroke = bytes(128, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0);
        assertArrayEquals(new byte[12], read(png, FOUR_BY_THREE), "black on black");
        assertArrayEquals(stroke, read(png, options(3, 4, false, Polarity.DARK_ON_LIGHT)));
        PngImageReader.Image auto = decode(png, options(3, 4, false, Polarity.AUTO));
        assertTrue(auto.inverted(), "dark ink on a transparent canvas");
        assertArrayEquals(stroke, auto.pixels());
        int[][] deep = new int[3][];
        for (int y = 0; y < 3; y++) {
            deep[y] = Arrays.stream(samples[y]).map(v -> v * 257).toArray();
        }
        assertArrayEquals(stroke, read(handWritten(4, 16, RGBA, deep), options(3, 4, false, Polarity.DARK_ON_LIGHT)));

        int[][] white = new int[3][16];
        for (int x = 0; x < 4; x++) {
            white[1][x * 4] = 255;
            white[1][x * 4 + 1] = 255;
            white[1][x * 4 + 2] = 255;
            white[1][x * 4 + 3] = 255;
        }
        PngImageReader.Image light = decode(handWritten(4, 8, RGBA, white), options(3, 4, false, Polarity.AUTO));
        assertFalse(light.inverted(), "light ink on a transparent canvas");
        assertArrayEquals(bytes(0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0), light.pixels());
    }

    @Test
    void paletteBecomesLuminanceAndItsTransparencyTheBackground() throws IOException {
        byte[] plte = chunk("PLTE", bytes(0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255));
        int[][] indices = {{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 1, 1, 1}};
        byte[] expected = bytes(0, 255, 76, 29, 29, 76, 255, 0, 255, 255, 255, 255);
        assertArrayEquals(expected, read(handWritten(4, 8, PALETTE, indices, plte), FOUR_BY_THREE), "8-bit palette");
        assertArrayEquals(expected, read(handWritten(4, 2, PALETTE, indices, plte), FOUR_BY_THREE), "2-bit palette");
        assertArrayEquals(expected, read(handWritten(4, 4, PALETTE, indices, plte), FOUR_BY_THREE), "4-bit palette");
        byte[] oneBit = handWritten(4, 1, PALETTE, new int[][] {{0, 1, 1, 0}, {0, 0, 0, 0}, {1, 1, 1, 1}}, plte);
        assertArrayEquals(bytes(0, 255, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255), read(oneBit, FOUR_BY_THREE));

        byte[] trns = chunk("tRNS", bytes(0, 255, 128)); // entry 0 transparent, 2 (red) half, 3 (blue) opaque
        byte[] transparent = handWritten(4, 8, PALETTE, indices, plte, trns);
        assertArrayEquals(bytes(0, 255, 38, 29, 29, 38, 255, 0, 255, 255, 255, 255), read(transparent, FOUR_BY_THREE),
                "red at alpha 128/255: 76.2 * 128 / 255 = 38.3");
        assertArrayEquals(bytes(0, 0, 90, 226, 226, 90, 0, 0, 0, 0, 0, 0),
                read(transparent, options(3, 4, false, Polarity.DARK_ON_LIGHT)),
                "transparent entry: white paper; red at alpha 128/255 on white: 38.3 + 127 = 165, inverted 90");
    }

    @Test
    void interlacedPngIsReadLikeAPlainOne() throws IOException {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, 28, 28, digit);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] png = bytes.toByteArray();
        assertEquals(1, png[28], "IHDR interlace method: Adam7");
        PngImageReader.Image read = decode(png, options(28, 28, false, Polarity.AUTO));
        assertFalse(read.inverted());
        assertArrayEquals(digit, read.pixels());
    }

    // ---- AUTO polarity ----

    @Test
    void autoKeepsAnMnistDigitAndInvertsAPaperScan() throws IOException {
        BufferedImage mnist = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        mnist.getRaster().setDataElements(0, 0, 28, 28, digit);
        PngImageReader.Image kept = decode(png(mnist), options(28, 28, false, Polarity.AUTO));
        assertFalse(kept.inverted(), "light ink on the black border MNIST has");
        assertArrayEquals(digit, kept.pixels());

        PngImageReader.Image black = decode(png(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY)),
                options(28, 28, false, Polarity.AUTO));
        assertFalse(black.inverted(), "an all-black image is MNIST's empty canvas");
        assertArrayEquals(new byte[28 * 28], black.pixels());

        BufferedImage paper = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 28 * 28; i++) {
            int v = 255 - (digit[i] & 0xFF);
            paper.setRGB(i % 28, i / 28, v << 16 | v << 8 | v);
        }
        paper.setRGB(0, 0, 0); // a speck of dirt on the border does not change the median
        paper.setRGB(27, 5, 0);
        PngImageReader.Image scan = decode(png(paper), options(28, 28, false, Polarity.AUTO));
        assertTrue(scan.inverted(), "dark ink on white paper");
        byte[] expected = digit.clone();
        expected[0] = (byte) 255;
        expected[5 * 28 + 27] = (byte) 255;
        assertArrayEquals(expected, scan.pixels());

        BufferedImage offWhite = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 12; i++) {
            offWhite.getRaster().setSample(i % 4, i / 4, 0, i == 5 ? 30 : 200);
        }
        PngImageReader.Image grey = decode(png(offWhite), options(3, 4, false, Polarity.AUTO));
        assertTrue(grey.inverted(), "grey 200 paper, grey 30 ink");
        assertArrayEquals(bytes(55, 55, 55, 55, 55, 225, 55, 55, 55, 55, 55, 55), grey.pixels());
    }

    // ---- resizing ----

    /** {@code src} (size x size) scaled up {@code factor} times, each pixel a factor x factor block. */
    private static BufferedImage nearest(byte[] src, int size, int factor, boolean paper) {
        int big = size * factor;
        BufferedImage image = new BufferedImage(big, big, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < big; y++) {
            for (int x = 0; x < big; x++) {
                int v = src[(y / factor) * size + x / factor] & 0xFF;
                image.getRaster().setSample(x, y, 0, paper ? 255 - v : v);
            }
        }
        return image;
    }

    @Test
    void aDigitScaledUpTenTimesComesBackAsTheDigit() throws IOException {
        for (boolean paper : new boolean[] {false, true}) {
            PngImageReader.Image image = decode(png(nearest(digit, 28, 10, paper)), options(28, 28, true, Polarity.AUTO));
            assertEquals(paper, image.inverted());
            assertEquals(280, image.width());
            assertEquals(280, image.height());
            int max = 0;
            long sum = 0;
            for (int i = 0; i < digit.length; i++) {
                int error = Math.abs((image.pixels()[i] & 0xFF) - (digit[i] & 0xFF));
                max = Math.max(max, error);
                sum += error;
            }
            assertTrue(max <= 1, "max error " + max);
            assertTrue(sum / (double) digit.length <= 0.05, "mean error " + sum / (double) digit.length);
        }
    }

    @Test
    void shrinkingAveragesTheAreaSoOnePixelStrokesSurvive() throws IOException {
        BufferedImage scan = new BufferedImage(280, 280, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 280; i++) {
            scan.getRaster().setSample(11, i, 0, 255); // falls between bilinear's samples at x = 14 and 15
            scan.getRaster().setSample(i, 143, 0, 255);
        }
        byte[] out = read(png(scan), options(28, 28, true, Polarity.LIGHT_ON_DARK));
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                int expected = r == 14 && c == 1 ? 48 : r == 14 || c == 1 ? 26 : 0;
                assertEquals(expected, out[r * 28 + c] & 0xFF, "(" + r + ", " + c + "): 10 (or 19) lit pixels of 100");
            }
        }
    }

    @Test
    void resampleAreaAveragesWhenShrinkingAndInterpolatesWhenEnlarging() throws IOException {
        assertArrayEquals(new float[] {0, 1, 2, 3}, PngImageReader.resample(new float[] {0, 1, 2, 3}, 1, 4, 1, 4));
        assertArrayEquals(new float[] {0.5f, 2.5f}, PngImageReader.resample(new float[] {0, 1, 2, 3}, 1, 4, 1, 2));
        assertArrayEquals(new float[] {1, 5}, PngImageReader.resample(new float[] {0, 3, 6}, 1, 3, 1, 2), 1e-5f,
                "3 to 2: output 0 is 2/3 of pixel 0 and 1/3 of pixel 1");
        assertArrayEquals(new float[] {0, 1, 3, 4}, PngImageReader.resample(new float[] {0, 4}, 1, 2, 1, 4), 1e-5f,
                "2 to 4: bilinear, edges clamped");
        assertArrayEquals(new float[] {1, 5}, PngImageReader.resample(new float[] {0, 3, 6}, 3, 1, 2, 1), 1e-5f,
                "the vertical axis alike");
        float[] wide = PngImageReader.resample(new float[] {0, 3, 6, 0, 3, 6}, 2, 3, 4, 2);
        assertArrayEquals(new float[] {1, 5, 1, 5, 1, 5, 1, 5}, wide, 1e-5f, "shrink across, enlarge down");

        BufferedImage flat = new BufferedImage(300, 290, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 290; y++) {
            for (int x = 0; x < 300; x++) {
                flat.getRaster().setSample(x, y, 0, 100);
            }
        }
        byte[] expected = new byte[28 * 28];
        Arrays.fill(expected, (byte) 100);
        assertArrayEquals(expected, read(png(flat), options(28, 28, true, Polarity.LIGHT_ON_DARK)),
                "fractional footprints still weigh 1 in all");
    }

    // ---- limits ----

    /**
     * {@code prefix}, then zero bytes without end; counts the bytes read and fails once asked for more than
     * {@code limit}.
     */
    private static final class CountingStream extends InputStream {
        private final byte[] prefix;
        private final long limit;
        long count;

        CountingStream(byte[] prefix, long limit) {
            this.prefix = prefix;
            this.limit = limit;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (count >= limit) {
                throw new AssertionError("read past byte " + limit);
            }
            int n = (int) Math.min(len, limit - count);
            for (int i = 0; i < n; i++) {
                b[off + i] = count + i < prefix.length ? prefix[(int) (count + i)] : 0;
            }
            count += n;
            return n;
        }
    }

    @Test
    void aHugeDeclaredImageIsRefusedFromItsHeaderWithoutReadingFurther() throws IOException {
        byte[] png = concat(signatureAndHeader(100_000, 100_000, 8, GREY),
                chunk("IDAT", new byte[] {0x78, (byte) 0xDA, 0x01}), chunk("IEND", new byte[0]));
        assertTrue(png.length < 100, png.length + " bytes");
        CountingStream in = new CountingStream(png, 33);
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> PngImageReader.decode(in, "huge.png", options(28, 28, true, Polarity.AUTO)));
        assertEquals("huge.png: offset 16: expected an image of at most 16,777,216 pixels (width x height, the limit "
                + "maxPixels), found 100000x100000 = 10,000,000,000 pixels", e.getMessage());
        assertEquals(33, in.count, "signature and IHDR only");

        CountingStream wrongSize = new CountingStream(signatureAndHeader(20, 30, 8, GREY), 33);
        assertEquals("small.png: file: expected a 28x28 image (width x height, the model's input size; --resize "
                        + "scales other sizes), found a 20x30 image",
                assertThrows(InvalidDataException.class, () -> PngImageReader.decode(wrongSize, "small.png",
                        new PngImageReader.Options(28, 28, false, false))).getMessage());
        assertEquals(33, wrongSize.count, "the size is refused from the header too");
    }

    @Test
    void aFileLongerThanTheBoundIsRefusedAfterReadingTheBound() {
        long maxPixels = 12;
        long bound = PngImageReader.maxFileBytes(maxPixels);
        assertEquals(9 * 12 + (16 << 20), bound);
        CountingStream endless = new CountingStream(signatureAndHeader(4, 3, 8, GREY), Long.MAX_VALUE);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> PngImageReader.decode(endless,
                "endless.png", new PngImageReader.Options(3, 4, false, Polarity.AUTO, maxPixels)));
        assertEquals("endless.png: offset 16777324: expected the end of the file (at most 16,777,324 bytes: 9 a pixel "
                + "for maxPixels 12, plus 16,777,216), found more bytes", e.getMessage());
        assertEquals(bound + 1, endless.count);
    }

    @Test
    void aChunkLongerThanTheFileIsRefusedBeforeTheDecoderAllocatesIt() {
        byte[] lying = concat(signatureAndHeader(4, 3, 8, GREY), new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, 'p', 'r', 'I', 'v', 1, 2, 3, 4});
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> read(lying, FOUR_BY_THREE));
        assertEquals("digit.png: file: expected a readable PNG image, found a truncated file (the chunk at offset 33 "
                + "declares 2147483647 data bytes, 0 remain before its CRC)", e.getMessage());
    }

    @Test
    void aMalformedHeaderIsRefusedNamingTheOffset() {
        byte[] good = signatureAndHeader(4, 3, 8, GREY);
        assertEquals("digit.png: offset 16: expected a width of 1 to 2147483647 pixels, found 0",
                refusal(signatureAndHeader(0, 3, 8, GREY)));
        assertEquals("digit.png: offset 20: expected a height of 1 to 2147483647 pixels, found 0",
                refusal(signatureAndHeader(4, 0, 8, GREY)));
        assertEquals("digit.png: offset 20: expected a height of 1 to 2147483647 pixels, found 4294967295",
                refusal(signatureAndHeader(4, 0xFFFFFFFFL, 8, GREY)));
        assertEquals("digit.png: offset 24: expected a bit depth and colour type PNG allows (grey 1, 2, 4, 8, 16; "
                + "palette 1, 2, 4, 8; RGB, grey+alpha, RGBA 8, 16), found bit depth 4 with colour type 2",
                refusal(signatureAndHeader(4, 3, 4, RGB)));
        assertEquals("digit.png: offset 20: expected the IHDR chunk in bytes 8 to 32, found the end of the file "
                + "after 20 bytes", refusal(Arrays.copyOf(good, 20)));
        byte[] length = good.clone();
        length[11] = 12;
        assertEquals("digit.png: offset 8: expected the IHDR chunk length 13, found 12", refusal(length));
        byte[] type = concat(Arrays.copyOf(good, 8), chunk("tEXt", new byte[13]));
        assertEquals("digit.png: offset 12: expected chunk type IHDR (a PNG's first chunk), found bytes 74 45 58 74",
                refusal(type));
        byte[] interlace = good.clone();
        interlace[28] = 2;
        assertTrue(refusal(interlace).startsWith("digit.png: offset 28: expected interlace method 0 or 1, found 2"));
        byte[] crc = good.clone();
        crc[32] ^= 1;
        assertTrue(refusal(crc).startsWith("digit.png: offset 29: expected the IHDR CRC-32 0x"), refusal(crc));
    }

    private static String refusal(byte[] png) {
        return assertThrows(InvalidDataException.class, () -> read(png, FOUR_BY_THREE)).getMessage();
    }
}
