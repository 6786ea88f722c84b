package dev.mapscribe.analyzer.query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** For tests: the rows of a query over an export, each as its values joined with '|' (null as "null"). */
public final class QueryRows {
    private QueryRows() {}

    public static List<String> of(QuerySession q, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = q.connection().createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) b.append(i > 1 ? "|" : "").append(rs.getString(i));
                out.add(b.toString());
            }
        }
        return out;
    }
}
