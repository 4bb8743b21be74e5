package dev.simdnet.cli;

/** Bad input from the user: exit status 2 and the message, one line, on standard error. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
