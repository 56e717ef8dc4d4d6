package app

import (
	"compress/zlib"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hearth-chat/hearth/internal/config"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// printBanner tells whoever started the server where it listens and how to
// talk to it: on a first start the generated credentials, a ready admin
// UserSig, the walkthrough's export lines and a curl example; on later
// starts the export lines with the command that prints a UserSig.
func printBanner(w io.Writer, s *Server, addr string, generated bool) {
	admin := s.Config.Admins[0]
	base := "http://" + dialable(addr)
	fmt.Fprintf(w, "hearth: listening on http://%s (store: %s, sdkappid %d)\n", addr, s.StoreDesc, s.SDKAppID)
	if !generated {
		fmt.Fprintf(w, "hearth: for the README walkthrough, paste:\n  export H=%s APP=%d SIG=$(%s)\n",
			base, s.SDKAppID, userSigHint(s.Config, admin))
		return
	}
	sig, err := usersig.Sign(s.SDKAppID, s.SecretKey, admin, time.Now(), DefaultSigExpire, zlib.DefaultCompression)
	if err != nil {
		fmt.Fprintf(w, "hearth: cannot sign a UserSig: %v\n", err)
		return
	}
	fmt.Fprintf(w, `
First start: generated new credentials, kept in %s (mode 0600).
  SDKAppID:   %d
  Secret key: %s
  Admin:      %s
  UserSig:    %s   (valid 180 days)

For the README walkthrough, paste:
  export H=%s APP=%d SIG='%s'

Try it:
  curl -s -X POST '%s/v4/im_open_login_svc/account_import?sdkappid=%d&identifier=%s&usersig=%s&random=%d&contenttype=json' \
    -d '{"UserID":"alice","Nick":"Alice"}'

Print a UserSig for any user: %s --identifier alice

`, filepath.Join(s.Config.DataDir, credentialsFile), s.SDKAppID, s.SecretKey, admin, sig,
		base, s.SDKAppID, sig,
		base, s.SDKAppID, admin, sig, time.Now().Unix()%1_000_000,
		strings.TrimSuffix(userSigHint(s.Config, admin), " --identifier "+admin))
}

// userSigHint is the command line that prints a UserSig for id with the
// same credentials as this server.
func userSigHint(c config.Config, id string) string {
	cmd := selfCommand() + " usersig"
	if c.DataDir != config.DefaultDataDir {
		cmd += " --data " + c.DataDir
	}
	if c.SDKAppID != 0 && os.Getenv("HEARTH_SDKAPPID") == "" {
		if _, ok, _ := loadCredentials(c.DataDir); !ok {
			cmd += fmt.Sprintf(" --sdkappid %d --secret-key <your key>", c.SDKAppID)
		}
	}
	return cmd + " --identifier " + id
}

// dialable turns a listen address into one a client can dial: an
// unspecified host (0.0.0.0, ::) becomes 127.0.0.1.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// selfCommand is how to run this program again from the shell it was
// started in: "go run ./cmd/hearth" under go run, "hearth" when that is
// what PATH finds, else the path it was started by.
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "hearth"
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "go run ./cmd/hearth"
	}
	if p, err := exec.LookPath("hearth"); err == nil {
		if a, b := resolved(p), resolved(exe); a == b {
			return "hearth"
		}
	}
	if arg0 := os.Args[0]; strings.ContainsRune(arg0, filepath.Separator) {
		return arg0
	}
	return exe
}

func resolved(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// versionLine is what `hearth version` prints: the module version, the VCS
// commit (with "+dirty" for a modified tree) and time, and the Go version,
// all from the build info.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "hearth (no build info)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var commit, when, dirty string
	for _, st := range bi.Settings {
		switch st.Key {
		case "vcs.revision":
			commit = st.Value
		case "vcs.time":
			when = st.Value
		case "vcs.modified":
			if st.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if commit == "" {
		commit = "unknown (built without VCS stamping: -buildvcs=false)"
	}
	line := fmt.Sprintf("hearth %s commit %s%s", version, commit, dirty)
	if when != "" {
		line += " (" + when + ")"
	}
	return line + " " + bi.GoVersion + " " + runtimeTarget(bi)
}

func runtimeTarget(bi *debug.BuildInfo) string {
	var goos, goarch string
	for _, st := range bi.Settings {
		switch st.Key {
		case "GOOS":
			goos = st.Value
		case "GOARCH":
			goarch = st.Value
		}
	}
	if goos == "" {
		return ""
	}
	return goos + "/" + goarch
}
