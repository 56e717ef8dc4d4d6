package migration

import (
	"os"
	"regexp"
	"testing"
)

// noOpSays is what a no-op migration's comment must say.
var noOpSays = regexp.MustCompile(`(?im)^\s*--.*\bno-op\b`)

// TestStoresShareNumbering checks the one numbering of both stores'
// migrations (each store embeds the files of its migrations folder): the
// same versions with the same file names, so that a number is the same
// change in both dialects, and every no-op file saying in a comment that it
// is one (and why). A migration only one dialect needs is a no-op file in
// the other.
func TestStoresShareNumbering(t *testing.T) {
	load := func(dir string) []Migration {
		ms, err := Load(os.DirFS(dir), ".")
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		return ms
	}
	sqlite, postgres := load("../sqlite/migrations"), load("../postgres/migrations")
	for i := range max(len(sqlite), len(postgres)) {
		switch {
		case i >= len(sqlite):
			t.Errorf("postgres has %s, sqlite no migration %d", postgres[i].Name, postgres[i].Version)
		case i >= len(postgres):
			t.Errorf("sqlite has %s, postgres no migration %d", sqlite[i].Name, sqlite[i].Version)
		case sqlite[i].Version != postgres[i].Version || sqlite[i].Name != postgres[i].Name:
			t.Errorf("migration %d: sqlite has %s, postgres %s", i+1, sqlite[i].Name, postgres[i].Name)
		}
	}
	for dir, ms := range map[string][]Migration{"sqlite": sqlite, "postgres": postgres} {
		for i, m := range ms {
			if m.Version != i+1 {
				t.Errorf("%s: %s: want version %d, the numbering has no gaps", dir, m.Name, i+1)
			}
			if m.NoOp() && !noOpSays.MatchString(m.SQL) {
				t.Errorf("%s: %s changes nothing but no comment says it is a no-op:\n%s", dir, m.Name, m.SQL)
			}
		}
	}
}
