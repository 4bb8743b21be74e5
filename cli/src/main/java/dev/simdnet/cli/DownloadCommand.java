package dev.simdnet.cli;

import dev.simdnet.data.Catalogue;
import dev.simdnet.data.Datasets;
import dev.simdnet.data.Downloader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Fetches, verifies and caches a dataset. */
@Command(name = "download", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Download a dataset, verify every file against its published checksum, and cache it. Mirrors are"
            + " tried in order; a file already downloaded and verified is not fetched again.",
        footer = {"", "Examples:", "  ./simdnet download", "  ./simdnet download --dataset fashion-mnist --dir /data/simdnet",
            "  ./simdnet download --mirror https://example.org/mnist/ --mirror http://127.0.0.1:8000/"})
final class DownloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "mnist",
            description = "mnist or fashion-mnist. Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "The cache root (one folder per dataset inside). Default: $SIMDNET_HOME, else ~/.cache/simdnet.")
    Path dir;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "A mirror holding the dataset's files; repeat for several. Replaces the built-in mirrors, in this order.")
    List<String> mirrors = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        String name = Datasets.checkName(dataset);
        if (name.equals(Datasets.SAMPLE)) {
            throw new UsageException("the sample is bundled inside simdnet: nothing to download");
        }
        Catalogue.DatasetSpec data = Catalogue.get(name);
        if (!mirrors.isEmpty()) {
            data = data.withMirrors(parseMirrors(mirrors));
        }
        Path root = dir != null ? dir : Datasets.cacheRoot();
        Path target = Datasets.cacheDir(root, name);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Downloading " + name + " into " + target);
        fetch(data, target, new DownloadProgress(out, DownloadProgress.onTerminal()));
        out.println(name + " is ready in " + target);
        return Main.OK;
    }

    static void fetch(Catalogue.DatasetSpec spec, Path target, Downloader.Listener listener) throws IOException {
        Downloader.standard(listener).fetch(spec, target);
    }

    static List<URI> parseMirrors(List<String> urls) {
        List<URI> out = new ArrayList<>();
        for (String u : urls) {
            URI uri;
            try {
                uri = URI.create(u.endsWith("/") ? u : u + "/");
            } catch (IllegalArgumentException e) {
                throw new UsageException("--mirror " + u + " is not a URL: " + e.getMessage());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new UsageException("--mirror " + u + " must be an http:// or https:// URL of the folder holding the files");
            }
            out.add(uri);
        }
        return out;
    }
}
