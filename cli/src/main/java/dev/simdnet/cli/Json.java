package dev.simdnet.cli;

import java.util.List;
import java.util.Map;

/** A small JSON writer for reports: maps, lists, strings, numbers, booleans and null. */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            // Float.toString keeps a float's shortest form (0.1, not 0.10000000149).
            String text = v instanceof Float f ? Float.toString(f) : Double.toString((Double) v);
            double d = ((Number) v).doubleValue();
            // JSON has no NaN or infinity: absent values are null.
            sb.append(Double.isFinite(d) ? text : "null");
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "\n" : ",\n").append("  ".repeat(indent + 1));
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent + 1);
                first = false;
            }
            sb.append(first ? "}" : "\n" + "  ".repeat(indent) + "}");
        } else if (v instanceof List<?> list) {
            boolean simple = list.stream().noneMatch(x -> x instanceof Map || x instanceof List);
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (simple) {
                    sb.append(i == 0 ? "" : ", ");
                } else {
                    sb.append(i == 0 ? "\n" : ",\n").append("  ".repeat(indent + 1));
                }
                write(sb, list.get(i), indent + 1);
            }
            sb.append(simple || list.isEmpty() ? "]" : "\n" + "  ".repeat(indent) + "]");
        } else if (v instanceof int[] ints) {
            write(sb, java.util.Arrays.stream(ints).boxed().toList(), indent);
        } else {
            quote(sb, v.toString());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
