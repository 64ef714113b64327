package io.sparkcnn.data;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PNGs of every colour type become the grey bytes an idx file would hold. */
@Tag("unit")
class PngImageReaderTest {
    private static final PngImageReader.Options FOUR_BY_THREE = new PngImageReader.Options(3, 4, false, false);

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] read(byte[] png, PngImageReader.Options options) throws IOException {
        return PngImageReader.read(new ByteArrayInputStream(png), "digit.png", options);
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

    @Test
    void greyPixelsArePassedThroughUnchangedRowMajor() throws IOException {
        assertArrayEquals(ramp(), read(png(grey()), FOUR_BY_THREE));
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
        assertArrayEquals(new float[] {0, 1, 2, 3}, PngImageReader.bilinear(new float[] {0, 1, 2, 3}, 1, 4, 1, 4));
        assertArrayEquals(new float[] {0.5f, 2.5f}, PngImageReader.bilinear(new float[] {0, 1, 2, 3}, 1, 4, 1, 2));
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
    }
}
