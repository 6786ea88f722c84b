package dev.mapscribe.analyzer.derive;

import dev.mapscribe.analyzer.state.Prot;
import dev.mapscribe.analyzer.state.ProtChange;
import java.util.ArrayList;
import java.util.List;

/**
 * tracee's mem_prot_alert rules, with its four exact strings. tracee's mprotect hook
 * (security_file_mprotect) runs once per VMA the call touches, comparing that VMA's flags before the call with
 * the requested protection; mmap's alert looks at the requested protection only.
 */
public final class ProtAlerts {
    public static final String MMAP_W_X = "Mmaped region with W+E permissions!";
    public static final String MPROT_X_ADD = "Protection changed to Executable!";
    public static final String MPROT_W_ADD = "Protection changed from E to W+E!";
    public static final String MPROT_W_REM = "Protection changed from W+E to E!";

    /** One alert of one touched region: [start, end) had {@code prevProt} (or UNKNOWN) and was given {@code prot}. */
    public record ProtAlert(String alert, long start, long end, int prot, int prevProt, ProtChange change) {}

    private ProtAlerts() {}

    /** tracee's numbers for its alerts (mem_prot_alert_e). */
    public static int id(String alert) {
        return switch (alert) {
            case MMAP_W_X -> 1;
            case MPROT_X_ADD -> 2;
            case MPROT_W_ADD -> 3;
            case MPROT_W_REM -> 4;
            default -> throw new IllegalArgumentException("not a tracee alert: " + alert);
        };
    }

    /** The mmap alert for a call requesting {@code prot}, or null. */
    public static String forMmap(int prot) {
        return (prot & (Prot.WRITE | Prot.EXEC)) == (Prot.WRITE | Prot.EXEC) ? MMAP_W_X : null;
    }

    /**
     * The mprotect alert for one region, or null. tracee checks the three conditions in this order and stops at
     * the first; they exclude each other. When the previous protection is unknown (a region the recording could
     * not see) and the new one is executable, the region did become executable as far as anyone can tell: it is
     * reported as "changed to Executable" with prev_prot null rather than dropped.
     */
    public static String forMprotect(int prevProt, int reqProt) {
        boolean reqW = (reqProt & Prot.WRITE) != 0;
        boolean reqX = (reqProt & Prot.EXEC) != 0;
        if (prevProt == Prot.UNKNOWN) {
            return reqX ? MPROT_X_ADD : null;
        }
        boolean prevW = (prevProt & Prot.WRITE) != 0;
        boolean prevX = (prevProt & Prot.EXEC) != 0;
        if (!prevX && reqX) {
            return MPROT_X_ADD;
        }
        if (prevX && !prevW && reqW && reqX) {
            return MPROT_W_ADD;
        }
        if (prevW && prevX && reqX && !reqW) {
            return MPROT_W_REM;
        }
        return null;
    }

    /** The alerts of a successful mprotect: one per touched region that meets a rule, in address order. */
    public static List<ProtAlert> forChanges(List<ProtChange> changes) {
        List<ProtAlert> out = new ArrayList<>();
        for (ProtChange c : changes) {
            String alert = forMprotect(c.prevProt(), c.newProt());
            if (alert != null) {
                out.add(new ProtAlert(alert, c.start(), c.end(), c.newProt(), c.prevProt(), c));
            }
        }
        return out;
    }
}
