package dev.simdnet.data;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The downloadable datasets: their mirrors, in the order they are tried, and each file's size and
 * published checksums.
 */
public final class Catalogue {

    /**
     * One file of a dataset. {@code size} and {@code sha256} are those of the published {@code .gz};
     * {@code rawSha256}, where known, is that of the uncompressed content, so that a mirror which
     * re-compressed the same data (as Debian's copy of Fashion-MNIST did) is accepted too.
     */
    public record FileSpec(String name, long size, String sha256, String md5, String rawSha256) {
    }

    /** A dataset: its cache folder name, mirrors (each ending in '/') and files. */
    public record DatasetSpec(String name, List<URI> mirrors, List<FileSpec> files) {
        /** The same dataset served from other mirrors, in the order given. */
        public DatasetSpec withMirrors(List<URI> others) {
            return new DatasetSpec(name, others, files);
        }
    }

    public static final DatasetSpec MNIST = new DatasetSpec(Datasets.MNIST,
            List.of(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                    URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"),
                    URI.create("http://yann.lecun.com/exdb/mnist/")),
            List.of(new FileSpec("train-images-idx3-ubyte.gz", 9912422,
                            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                            "f68b3c2dcbeaaa9fbdd348bbdeb94873", null),
                    new FileSpec("train-labels-idx1-ubyte.gz", 28881,
                            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                            "d53e105ee54ea40749a09fcbcd1e9432", null),
                    new FileSpec("t10k-images-idx3-ubyte.gz", 1648877,
                            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                            "9fb629c4189551a2d022fa330f9573f3", null),
                    new FileSpec("t10k-labels-idx1-ubyte.gz", 4542,
                            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                            "ec29112dd5afa0611ce80d1b7f02629c", null)));

    public static final DatasetSpec FASHION_MNIST = new DatasetSpec(Datasets.FASHION_MNIST,
            List.of(URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")),
            List.of(new FileSpec("train-images-idx3-ubyte.gz", 26421880,
                            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
                    new FileSpec("train-labels-idx1-ubyte.gz", 29515,
                            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                            "25c81989df183df01b3e8a0aad5dffbe",
                            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
                    new FileSpec("t10k-images-idx3-ubyte.gz", 4422102,
                            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                            "bef4ecab320f06d8554ea6380940ec79",
                            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
                    new FileSpec("t10k-labels-idx1-ubyte.gz", 5148,
                            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                            "bb300cfdad3c16e7a12a480ee83cd310",
                            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")));

    private Catalogue() {
    }

    /** The downloadable dataset of that name; {@code sample} is bundled, not downloaded. */
    public static DatasetSpec get(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case Datasets.MNIST -> MNIST;
            case Datasets.FASHION_MNIST -> FASHION_MNIST;
            default -> throw new IllegalArgumentException("no download for dataset '" + name
                    + "': choose mnist or fashion-mnist (sample is bundled and needs none)");
        };
    }
}
