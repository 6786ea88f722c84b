package dev.mapscribe.analyzer.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsAtSemicolonsOutsideLiteralsAndComments() {
        String script = """
                -- first; still a comment
                SELECT 'a;b', "c;d" FROM t; /* x; y */
                SELECT $$e;f$$;
                SELECT 'it''s; fine'
                """;
        assertEquals(List.of("-- first; still a comment\nSELECT 'a;b', \"c;d\" FROM t",
                "/* x; y */\nSELECT $$e;f$$",
                "SELECT 'it''s; fine'"), SqlScript.split(script));
    }

    @Test
    void blankAndCommentOnlyStatementsAreDropped() {
        assertEquals(List.of("SELECT 1"), SqlScript.split(";;  SELECT 1; -- done\n ; /* */"));
    }

    @Test
    void aStatementIsCompleteOnlyAtATerminatingSemicolon() {
        assertFalse(SqlScript.complete("SELECT 1\n"));
        assertFalse(SqlScript.complete("SELECT ';'\n"));
        assertFalse(SqlScript.complete("SELECT 1; SELECT 2\n"));
        assertTrue(SqlScript.complete("SELECT\n 1;\n"));
        assertTrue(SqlScript.complete("SELECT 1; -- trailing comment\n"));
        assertFalse(SqlScript.complete("SELECT 1 /* ; */\n"));
    }
}
