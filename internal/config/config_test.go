package config

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRegister(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{name: "defaults", want: Config{Addr: DefaultAddr, DataDir: DefaultDataDir, Admins: []string{"administrator"}, RateLimit: true, CallbackTimeout: 2 * time.Second}},
		{name: "env", env: map[string]string{"HEARTH_ADDR": ":9", "HEARTH_RATE_LIMIT": "off", "HEARTH_SDKAPPID": "1400000001", "HEARTH_SECRET_KEY": "k", "HEARTH_ADMIN": "a, b"},
			want: Config{Addr: ":9", DataDir: DefaultDataDir, SDKAppID: 1400000001, SecretKey: "k", Admins: []string{"a", "b"}, CallbackTimeout: 2 * time.Second}},
		{name: "flag beats env", args: []string{"--addr", ":7", "--store", "postgres://x/y"}, env: map[string]string{"HEARTH_ADDR": ":9"},
			want: Config{Addr: ":7", DataDir: DefaultDataDir, Admins: []string{"administrator"}, RateLimit: true, Store: "postgres://x/y", CallbackTimeout: 2 * time.Second}},
		{name: "callbacks", args: []string{"--callback-url", "https://app.example/cb?x=1", "--callback-token", "tok", "--callback-timeout", "500ms", "--callbacks", "C2C.CallbackBeforeSendMsg, Group.CallbackAfterSendMsg"},
			want: Config{Addr: DefaultAddr, DataDir: DefaultDataDir, Admins: []string{"administrator"}, RateLimit: true, CallbackURL: "https://app.example/cb?x=1",
				CallbackToken: "tok", CallbackTimeout: 500 * time.Millisecond, Callbacks: []string{"C2C.CallbackBeforeSendMsg", "Group.CallbackAfterSendMsg"}}},
		{name: "callbacks from env", env: map[string]string{"HEARTH_CALLBACK_URL": "http://10.0.0.1:9000/", "HEARTH_CALLBACKS": "all"},
			want: Config{Addr: DefaultAddr, DataDir: DefaultDataDir, Admins: []string{"administrator"}, RateLimit: true, CallbackURL: "http://10.0.0.1:9000/", CallbackTimeout: 2 * time.Second}},
		{name: "bad callback url", args: []string{"--callback-url", "ftp://x"}, wantErr: "--callback-url"},
		{name: "long callback token", args: []string{"--callback-url", "http://x", "--callback-token", strings.Repeat("t", 129)}, wantErr: "--callback-token"},
		{name: "bad callback timeout", args: []string{"--callback-timeout", "0s"}, wantErr: "--callback-timeout"},
		{name: "bad rate-limit", args: []string{"--rate-limit", "maybe"}, wantErr: "--rate-limit"},
		{name: "bad sdkappid", args: []string{"--sdkappid", "x", "--secret-key", "k"}, wantErr: "--sdkappid"},
		{name: "sdkappid without key", args: []string{"--sdkappid", "1400000001"}, wantErr: "go together"},
		{name: "bad store", args: []string{"--store", "mysql://x"}, wantErr: "--store"},
		{name: "no admin", args: []string{"--admin", " , "}, wantErr: "--admin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			build := Register(fs, func(k string) string { return c.env[k] })
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			got, err := build()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one mentioning %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
