package dev.simdnet.data;

import java.io.IOException;

/** Every mirror failed for a file; the message names each mirror tried and why it failed. */
public final class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    public DownloadException(String message) {
        super(message);
    }
}
