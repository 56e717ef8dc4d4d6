// Package natstest gives cluster tests a NATS to connect to.
package natstest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATSEnv names the variable holding the URL of a NATS server for cluster
// tests (the machine's own, e.g. nats://127.0.0.1:4222). Unset, the tests
// start an embedded NATS cluster.
const NATSEnv = "HEARTH_TEST_NATS"

// NATS is what the nodes of a cluster test connect to: the server that
// HEARTH_TEST_NATS names, or an embedded cluster of routed servers.
type NATS struct {
	urls    []string
	servers []*server.Server // embedded servers; nil with HEARTH_TEST_NATS
}

// Start returns the NATS for a cluster test of n nodes. With
// HEARTH_TEST_NATS set every node uses that server; otherwise it starts n
// nats-server instances on loopback, routed into one cluster (each node
// then connects to a different server, so that every message between nodes
// crosses a route), waits until each server has a route to every other, and
// shuts them down when t ends.
func Start(t testing.TB, n int) *NATS {
	t.Helper()
	if u := os.Getenv(NATSEnv); u != "" {
		return &NATS{urls: []string{u}}
	}
	c := &NATS{}
	t.Cleanup(func() {
		for _, s := range c.servers {
			s.Shutdown()
			s.WaitForShutdown()
		}
	})
	var seed string
	for i := range n {
		opts := &server.Options{
			ServerName: fmt.Sprintf("hearth-test-%d", i+1),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			Cluster:    server.ClusterOpts{Name: "hearth-test", Host: "127.0.0.1", Port: server.RANDOM_PORT},
			NoLog:      true,
			NoSigs:     true,
		}
		if seed != "" {
			opts.Routes = server.RoutesFromStr(seed) // the others find each other through the seed
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatalf("nats-server %d: %v", i+1, err)
		}
		s.Start()
		c.servers = append(c.servers, s)
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatalf("nats-server %d is not ready for connections after 10s", i+1)
		}
		if seed == "" {
			seed = fmt.Sprintf("nats://127.0.0.1:%d", s.ClusterAddr().Port)
		}
		c.urls = append(c.urls, s.ClientURL())
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, s := range c.servers {
		for s.NumRemotes() < n-1 {
			if time.Now().After(deadline) {
				t.Fatalf("NATS cluster not formed in 10s: %s has routes to %d of %d servers", s.Name(), s.NumRemotes(), n-1)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return c
}

// Embedded reports whether the servers were started by the test.
func (c *NATS) Embedded() bool { return c.servers != nil }

// URL is the NATS URL node i connects to.
func (c *NATS) URL(i int) string { return c.urls[i%len(c.urls)] }

// String describes the NATS for logs.
func (c *NATS) String() string {
	if c.Embedded() {
		return fmt.Sprintf("an embedded NATS cluster of %d servers", len(c.servers))
	}
	return "NATS at " + c.urls[0] + " (" + NATSEnv + ")"
}

// Settle waits, at most 5 s, until a subscription made on one embedded
// server is known to the others: every server counts the same
// subscriptions (its clients' and those its routes told it of), twice in a
// row. A test calls it after clients logged in, so that a message published
// at once does not race the route's interest propagation. It does nothing
// with a single server (HEARTH_TEST_NATS), where a flushed subscription is
// in place.
func (c *NATS) Settle(t testing.TB) {
	t.Helper()
	if len(c.servers) < 2 {
		return
	}
	same := func() bool {
		n := c.servers[0].NumSubscriptions()
		for _, s := range c.servers[1:] {
			if s.NumSubscriptions() != n {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(5 * time.Second)
	for stable := 0; stable < 2; {
		if time.Now().After(deadline) {
			t.Logf("NATS interest did not settle in 5s (subscription counts differ); going on")
			return
		}
		if same() {
			stable++
		} else {
			stable = 0
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Server starts one embedded nats-server on a free loopback port, whatever
// HEARTH_TEST_NATS says (for tests that stop it), and shuts it down when t
// ends.
func Server(t testing.TB) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server is not ready for connections after 10s")
	}
	t.Cleanup(s.Shutdown)
	return s
}
