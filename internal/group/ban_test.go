package group_test

import (
	"context"
	"testing"

	"github.com/hearth-chat/hearth/internal/group"
)

// TestBanRules: who may ban whom (the permission engine's BanMember for a
// member acting, the owner never), the ban ending with the clock, and
// re-adding refused until then — over a real SQLite store.
func TestBanRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.users(t, "owner", "admin", "admin2", "m1", "m2", "m3")
	gid := e.create(t, group.CreateRequest{Owner: "owner", Type: "Public", Members: []group.NewMember{
		{UserID: "admin", Role: "Admin"}, {UserID: "admin2", Role: "Admin"}, {UserID: "m1"}, {UserID: "m2"}, {UserID: "m3"}}})
	dur := func(d int64) *int64 { return &d }
	for _, c := range []struct {
		name    string
		actor   string
		targets []string
		want    int
	}{
		{"a member may not ban", "m1", []string{"m2"}, 10007},
		{"an admin may not ban an admin", "admin", []string{"admin2"}, 10007},
		{"an admin may not ban the owner", "admin", []string{"owner"}, 10007},
		{"the app admin may not ban the owner", "", []string{"owner"}, 10007},
		{"an admin bans a member", "admin", []string{"m1"}, 0},
		{"the owner bans an admin", "owner", []string{"admin2"}, 0},
		{"an admin bans a non-member account", "admin", []string{"m1"}, 0}, // m1 is out now: a plain member's role
	} {
		t.Run(c.name, func(t *testing.T) {
			err := e.svc.Ban(ctx, group.BanRequest{GroupID: gid, Actor: group.Actor{UserID: c.actor}, Members: c.targets, Duration: dur(100)})
			wantCode(t, c.name, err, c.want)
		})
	}
	if r := e.roles(t, gid, "m1", "admin2", "m2"); r["m1"] != "NotMember" || r["admin2"] != "NotMember" || r["m2"] != "Member" {
		t.Fatalf("roles after the bans %v", r)
	}
	_, err := e.svc.AddMembers(ctx, gid, []string{"m3", "m1"})
	wantCode(t, "re-add while banned", err, 10007)
	e.advance(99)
	_, err = e.svc.ImportMembers(ctx, gid, []group.NewMember{{UserID: "m1"}})
	wantCode(t, "import one second before the end", err, 10007)
	e.advance(1)
	if _, err := e.svc.AddMembers(ctx, gid, []string{"m1"}); err != nil {
		t.Fatalf("re-add when the ban ended: %v", err)
	}
	// Unbanning takes the same permission.
	wantCode(t, "a member may not unban", e.svc.Unban(ctx, gid, group.Actor{UserID: "m2"}, []string{"admin2"}), 10007)
	wantCode(t, "the owner unbans", e.svc.Unban(ctx, gid, group.Actor{UserID: "owner"}, []string{"admin2"}), 0)
	page, err := e.svc.Bans(ctx, gid, 0, 0)
	if err != nil || len(page.Bans) != 0 || page.NextOffset != 0 {
		t.Fatalf("bans left %+v, %v", page, err)
	}
}
