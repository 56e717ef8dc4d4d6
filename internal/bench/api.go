package bench

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// sigValidity is how long the UserSigs the bench signs stay valid.
const sigValidity = 24 * time.Hour

// creds are the app the bench talks to: its SDKAppID, secret key and the
// App admin that makes REST calls.
type creds struct {
	SDKAppID  uint64
	SecretKey string
	Admin     string
}

// sign returns a UserSig for id.
func (c creds) sign(id string) (string, error) {
	return usersig.Sign(c.SDKAppID, c.SecretKey, id, time.Now(), sigValidity, zlib.DefaultCompression)
}

// apiClient makes the REST calls that build a scenario's fixtures.
type apiClient struct {
	base  string // http://host:port
	creds creds
	sig   string // the admin's UserSig
	hc    *http.Client
}

func newAPIClient(base string, c creds) (*apiClient, error) {
	sig, err := c.sign(c.Admin)
	if err != nil {
		return nil, err
	}
	return &apiClient{base: base, creds: c, sig: sig, hc: &http.Client{Timeout: 30 * time.Second}}, nil
}

// urlPrefix is the URL of api called as the admin, up to the value of
// random, which the caller appends.
func (a *apiClient) urlPrefix(api string) string {
	return fmt.Sprintf("%s/v4/%s?sdkappid=%d&identifier=%s&usersig=%s&contenttype=json&random=",
		a.base, api, a.creds.SDKAppID, a.creds.Admin, a.sig)
}

// call posts body to api and decodes the answer; an answer other than OK
// is an error. It waits and retries while the server answers that a
// frequency limit is exceeded (with --rate-limit on).
func (a *apiClient) call(ctx context.Context, api string, body any) (map[string]any, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		url := a.urlPrefix(api) + strconv.FormatInt(time.Now().UnixNano()%4294967296, 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		res, err := a.hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", api, err)
		}
		out, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", api, err)
		}
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: HTTP %d: %.200s", api, res.StatusCode, out)
		}
		var r map[string]any
		if err := json.Unmarshal(out, &r); err != nil {
			return nil, fmt.Errorf("%s: answer is not JSON: %.200s", api, out)
		}
		code, _ := r["ErrorCode"].(float64)
		switch {
		case code == 0:
			return r, nil
		case (code == apierr.APIRateLimited || code == apierr.GroupRateLimited) && attempt < 100:
			select {
			case <-time.After(100 * time.Millisecond):
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return r, fmt.Errorf("%s: ErrorCode %d: %v", api, int(code), r["ErrorInfo"])
	}
}

// importAccounts imports ids, account.MaxBatch per call.
func (a *apiClient) importAccounts(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), account.MaxBatch)
		r, err := a.call(ctx, "im_open_login_svc/multiaccount_import", map[string]any{"Accounts": ids[:n]})
		if err != nil {
			return err
		}
		if fail, _ := r["FailAccounts"].([]any); len(fail) > 0 {
			return fmt.Errorf("multiaccount_import: %d accounts failed, the first %v", len(fail), fail[0])
		}
		ids = ids[n:]
	}
	return nil
}

// community imports owner, creates a topic community owned by owner with
// members (group.MaxAddMembers per call) and one topic, and returns their
// IDs.
func (a *apiClient) community(ctx context.Context, owner string, members []string) (gid, tid string, err error) {
	if err := a.importAccounts(ctx, append([]string{owner}, members...)); err != nil {
		return "", "", err
	}
	r, err := a.call(ctx, "group_open_http_svc/create_group", map[string]any{
		"Type": "Community", "Name": "bench", "SupportTopic": 1, "Owner_Account": owner,
	})
	if err != nil {
		return "", "", err
	}
	gid, _ = r["GroupId"].(string)
	for len(members) > 0 {
		n := min(len(members), group.MaxAddMembers)
		list := make([]map[string]string, n)
		for i, id := range members[:n] {
			list[i] = map[string]string{"Member_Account": id}
		}
		if _, err := a.call(ctx, "group_open_http_svc/import_group_member", map[string]any{"GroupId": gid, "MemberList": list}); err != nil {
			return "", "", err
		}
		members = members[n:]
	}
	r, err = a.call(ctx, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "bench"})
	if err != nil {
		return "", "", err
	}
	tid, _ = r["TopicId"].(string)
	if gid == "" || tid == "" {
		return "", "", fmt.Errorf("create_topic: no GroupId or TopicId in the answer")
	}
	return gid, tid, nil
}

// userIDs returns n UserIDs prefix00000, prefix00001, ….
func userIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%05d", prefix, i)
	}
	return ids
}

// wsURL turns an http:// base URL into the gateway's ws:// URL.
func wsURL(base string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/v1/ws"
}
