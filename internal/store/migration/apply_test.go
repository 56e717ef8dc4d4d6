package migration

import (
	"reflect"
	"strings"
	"testing"
)

// numbered returns migrations 1..n named NNNN_mK.sql, those in noOps with
// SQL that is only a comment.
func numbered(n int, noOps ...int) []Migration {
	ms := make([]Migration, n)
	for i := range ms {
		v := i + 1
		ms[i] = Migration{Version: v, Name: strings.Repeat("0", 3) + string(rune('0'+v)) + "_m.sql", SQL: "CREATE TABLE t (x int);"}
		for _, o := range noOps {
			if o == v {
				ms[i].SQL = "-- No-op here: the other dialect needs it.\n"
			}
		}
	}
	return ms
}

func TestPending(t *testing.T) {
	ms := numbered(3)
	applied := func(vs ...int) []Applied {
		var as []Applied
		for _, v := range vs {
			as = append(as, Applied{Version: v, Name: ms[v-1].Name})
		}
		return as
	}
	tests := []struct {
		name    string
		applied []Applied
		want    []int
		wantErr string
	}{
		{"fresh database: all", nil, []int{1, 2, 3}, ""},
		{"some applied: the rest", applied(1, 2), []int{3}, ""},
		{"all applied: none", applied(1, 2, 3), nil, ""},
		{"newer database", append(applied(1, 2, 3), Applied{4, "0004_m.sql"}), nil, "newer than this program's 3"},
		{"another name for a version", []Applied{{1, "0001_other.sql"}}, nil, "records migration 1 as 0001_other.sql"},
		{"a gap", applied(1, 3), nil, "records migration 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Pending(ms, tc.applied)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Pending = %v, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var vs []int
			for _, m := range got {
				vs = append(vs, m.Version)
			}
			if !reflect.DeepEqual(vs, tc.want) {
				t.Errorf("Pending = versions %v, want %v", vs, tc.want)
			}
		})
	}
}

func TestRenumber(t *testing.T) {
	// The PostgreSQL case: 5 was missing, 5.. of then are 6.. now.
	ms := numbered(9, 5)
	legacy := map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 7, 7: 8, 8: 9}
	type pair struct{ version, old int }
	tests := []struct {
		name    string
		ms      []Migration
		old     []int
		want    []pair
		wantErr string
	}{
		{"nothing applied", ms, nil, nil, ""},
		{"before the gap", ms, []int{1, 2, 3, 4}, []pair{{1, 1}, {2, 2}, {3, 3}, {4, 4}}, ""},
		{"over the gap: the no-op counts as applied", ms, []int{1, 2, 3, 4, 5},
			[]pair{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 0}, {6, 5}}, ""},
		{"all", ms, []int{1, 2, 3, 4, 5, 6, 7, 8},
			[]pair{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 0}, {6, 5}, {7, 6}, {8, 7}, {9, 8}}, ""},
		{"a version the old numbering never had", ms, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, nil, "newer than this program's 9"},
		{"a gap that is no no-op", numbered(9), []int{1, 2, 3, 4, 5}, nil, "not 0005_m.sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Renumber(tc.ms, tc.old, legacy)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Renumber = %v, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ps []pair
			for _, r := range got {
				if r.Name != tc.ms[r.Version-1].Name {
					t.Errorf("Renumber: version %d named %s, want %s", r.Version, r.Name, tc.ms[r.Version-1].Name)
				}
				ps = append(ps, pair{r.Version, r.Old})
			}
			if !reflect.DeepEqual(ps, tc.want) {
				t.Errorf("Renumber = %v, want %v", ps, tc.want)
			}
		})
	}
}

func TestNoOp(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"", true},
		{"-- No-op: nothing to do.\n\n  -- more\n", true},
		{"-- an index\nCREATE INDEX i ON t (x);\n", false},
		{"SELECT 1; -- trailing comment", false},
	} {
		if got := (Migration{SQL: tc.sql}).NoOp(); got != tc.want {
			t.Errorf("NoOp(%q) = %v, want %v", tc.sql, got, tc.want)
		}
	}
}
