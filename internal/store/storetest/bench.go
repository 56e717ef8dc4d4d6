package storetest

import (
	"strconv"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
)

// benchProfile is the profile each benchmarked account is imported with.
var benchProfile = []account.ProfileItem{item(nick, `"Bench User"`), item(level, `3`)}

// BenchImportAccount measures ImportAccounts of one new account with two
// profile items per call: the cost of one write transaction.
func BenchImportAccount(b *testing.B, open Opener) {
	s, _ := open(b)
	ctx := b.Context()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		imports := []account.Import{{UserID: "bench" + strconv.Itoa(n), Profile: benchProfile}}
		n++
		if err := s.ImportAccounts(ctx, imports, 100); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchImportAccounts100 measures ImportAccounts of 100 new accounts
// ([account.MaxBatch], one multiaccount_import) with two profile items each
// per call.
func BenchImportAccounts100(b *testing.B, open Opener) {
	s, _ := open(b)
	ctx := b.Context()
	b.ReportAllocs()
	imports := make([]account.Import, account.MaxBatch)
	n := 0
	for b.Loop() {
		for i := range imports {
			imports[i] = account.Import{UserID: "bench" + strconv.Itoa(n), Profile: benchProfile}
			n++
		}
		if err := s.ImportAccounts(ctx, imports, 100); err != nil {
			b.Fatal(err)
		}
	}
}
