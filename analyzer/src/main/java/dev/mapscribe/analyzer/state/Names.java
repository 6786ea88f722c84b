package dev.mapscribe.analyzer.state;

/**
 * One String object for equal names as they come in: the comms of TASK records, exec's exe paths and the paths of
 * mapped files. Every record decodes its own copy, and the export's string columns look each cell up in their batch's
 * dictionary, first by identity: equal copies cost a hash and a compare of their bytes there, once per row (on the
 * synthetic 10M journal, 15M of the `comm` cells' 23M lookups were of equal copies). A direct-mapped cache, so its
 * size is fixed: a name that finds its slot taken by another replaces it, and equal copies of the first are then no
 * longer one object, which costs a lookup its shortcut, nothing else.
 */
final class Names {
    private static final int BITS = 14;
    private final String[] slots = new String[1 << BITS];

    /** {@code s}, or an equal String seen before; null for null. */
    String of(String s) {
        if (s == null) {
            return null;
        }
        int i = (s.hashCode() * 0x9E3779B9) >>> (32 - BITS); // the hash's bits mixed into the top ones
        String seen = slots[i];
        if (seen != null && seen.equals(s)) {
            return seen;
        }
        slots[i] = s;
        return s;
    }
}
