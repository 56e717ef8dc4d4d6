package migration

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []Migration
		wantErr bool
	}{
		{
			name: "good order",
			fsys: fstest.MapFS{
				"m/0002_more.sql":  file("two"),
				"m/0001_init.sql":  file("one"),
				"m/0010_later.sql": file("ten"),
			},
			want: []Migration{
				{Version: 1, Name: "0001_init.sql", SQL: "one"},
				{Version: 2, Name: "0002_more.sql", SQL: "two"},
				{Version: 10, Name: "0010_later.sql", SQL: "ten"},
			},
		},
		{
			name:    "bad name",
			fsys:    fstest.MapFS{"m/0001_init.sql": file("one"), "m/init.sql": file("x")},
			wantErr: true,
		},
		{
			name:    "zero version",
			fsys:    fstest.MapFS{"m/0000_init.sql": file("x")},
			wantErr: true,
		},
		{
			name:    "repeated version",
			fsys:    fstest.MapFS{"m/0001_a.sql": file("a"), "m/01_b.sql": file("b")},
			wantErr: true,
		},
		{
			name:    "empty",
			fsys:    fstest.MapFS{"m": &fstest.MapFile{Mode: fs.ModeDir | 0o755}},
			wantErr: true,
		},
		{
			name:    "missing dir",
			fsys:    fstest.MapFS{},
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(tc.fsys, "m")
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Load = %v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Load = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Load()[%d] = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
