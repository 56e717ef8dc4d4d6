package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
)

// testClusterBan: a member connected to node B is banned over REST on A.
// B runs the removal (its caches, its hub) as A does: the member's socket
// on B stops receiving the group at once, B refuses the member's send from
// its membership cache, and B refuses to add the member back while the ban
// holds; a member on B who was not banned keeps receiving.
func testClusterBan(t *testing.T, cl *cluster, a, b *clusterNode) {
	ctx := context.Background()
	owner, raider, stays := cl.user("ban-owner"), cl.user("ban-raider"), cl.user("ban-stays")
	gid, tid := cl.community(t, a, nil, owner, raider, stays)
	// B caches the raider's membership before the ban: its send is allowed.
	if _, err := cl.rest.send(ctx, b, gid, tid, raider, "before"); err != nil {
		t.Fatalf("send before the ban on B: %v", err)
	}
	rc, sc := cl.dial(t, b, raider, gid, tid, 1), cl.dial(t, b, stays, gid, tid, 1)
	cl.nats.Settle(t)

	if _, err := cl.rest.call(ctx, a, "group_open_http_svc/ban_group_member",
		map[string]any{"GroupId": gid, "Members_Account": []string{raider}, "Duration": 3600}); err != nil {
		t.Fatalf("ban on A: %v", err)
	}
	// The ban answered after B acknowledged the removal: B refuses at once.
	if _, err := cl.rest.send(ctx, b, gid, tid, raider, "let me in"); code(err) != 10007 {
		t.Fatalf("the banned member's send on B: %v, want 10007", err)
	}
	if _, err := cl.rest.call(ctx, b, "group_open_http_svc/add_group_member",
		map[string]any{"GroupId": gid, "MemberList": []any{map[string]any{"Member_Account": raider}}}); code(err) != 10007 {
		t.Fatalf("re-adding the banned member on B: %v, want 10007", err)
	}
	seq, err := cl.rest.send(ctx, a, gid, tid, owner, "after the ban")
	if err != nil {
		t.Fatalf("send on A: %v", err)
	}
	// The member who stays gets it on B; the banned one does not.
	waitSeq := func(c *client.Conn, want bool) {
		timeout := time.After(10 * time.Second)
		if !want {
			timeout = time.After(500 * time.Millisecond)
		}
		for {
			select {
			case f, ok := <-c.Frames():
				if !ok {
					t.Fatalf("connection ended: %v", c.Err())
				}
				if f.Type == client.TypeMessage && f.GroupID == gid && f.Seq == seq {
					if !want {
						t.Fatalf("the banned member on B received message %d sent on A", seq)
					}
					return
				}
			case <-timeout:
				if want {
					t.Fatalf("message %d sent on A did not reach the member on B", seq)
				}
				return
			}
		}
	}
	waitSeq(sc, true)
	waitSeq(rc, false)
}
