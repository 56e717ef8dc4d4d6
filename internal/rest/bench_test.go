package rest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/config"
)

// The REST benchmarks drive the real server over loopback HTTP with the same
// client and parallelism as the baseline, a bare net/http handler that
// decodes the same JSON and writes the same envelope, so that the ratio
// Hearth/baseline is what they measure. Run them together:
//
//	go test -run '^$' -bench 'REST' -benchtime 3s ./internal/rest/

type bareCheckReq struct {
	CheckItem []struct {
		UserID string `json:"UserID"`
	} `json:"CheckItem"`
}

type bareItem struct {
	ResultCode    int    `json:"ResultCode"`
	ResultInfo    string `json:"ResultInfo"`
	UserID        string `json:"UserID"`
	AccountStatus string `json:"AccountStatus"`
}

func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req bareCheckReq
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		resp := struct {
			ActionStatus string     `json:"ActionStatus"`
			ErrorCode    int        `json:"ErrorCode"`
			ErrorInfo    string     `json:"ErrorInfo"`
			ResultItem   []bareItem `json:"ResultItem"`
		}{ActionStatus: "OK"}
		for _, it := range req.CheckItem {
			resp.ResultItem = append(resp.ResultItem, bareItem{UserID: it.UserID, AccountStatus: "Imported"})
		}
		out, _ := json.Marshal(resp)
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	})
}

// runREST posts body(i) to url from b.N parallel requests over one pooled
// client and fails on any non-OK answer.
func runREST(b *testing.B, url string, body func(i int64) string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := client.Post(url, "application/json", strings.NewReader(body(n.Add(1))))
			if err != nil {
				b.Error(err)
				return
			}
			out, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(out), `"ActionStatus":"OK"`) {
				b.Errorf("answer %s", out)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

const checkBody = `{"CheckItem":[{"UserID":"bench-1"}]}`

func BenchmarkRESTBaselineBareHandler(b *testing.B) {
	hs := httptest.NewServer(bareHandler())
	defer hs.Close()
	runREST(b, hs.URL+"/v4/im_open_login_svc/account_check", func(int64) string { return checkBody })
}

func benchStores(b *testing.B, fn func(b *testing.B, s *apitest.Server)) {
	for _, store := range apitest.Stores() {
		b.Run(store, func(b *testing.B) {
			opts := apitest.Options{}
			if store == "postgres" {
				opts.Postgres = apitest.PostgresSchema(b)
			}
			fn(b, apitest.Start(b, opts))
		})
	}
}

func BenchmarkRESTAccountCheck(b *testing.B) {
	benchStores(b, func(b *testing.B, s *apitest.Server) {
		s.ImportAccounts(b, "bench-1")
		runREST(b, s.AdminURL(b, "im_open_login_svc/account_check"), func(int64) string { return checkBody })
	})
}

func BenchmarkRESTAccountImport(b *testing.B) {
	benchStores(b, func(b *testing.B, s *apitest.Server) {
		prefix := fmt.Sprintf("b%d-", b.N)
		runREST(b, s.AdminURL(b, "im_open_login_svc/account_import"), func(i int64) string {
			return `{"UserID":"` + prefix + fmt.Sprint(i) + `","Nick":"bench"}`
		})
	})
}

// topicBench creates a topic community with one topic and returns its IDs.
func topicBench(b *testing.B, s *apitest.Server) (gid, tid string) {
	gid = s.Must(b, "group_open_http_svc/create_group", `{"Type":"Community","Name":"bench","SupportTopic":1}`)["GroupId"].(string)
	tid = s.Must(b, "million_group_open_http_svc/create_topic", `{"GroupId":"`+gid+`","TopicName":"t"}`)["TopicId"].(string)
	return gid, tid
}

func BenchmarkRESTModifyTopic(b *testing.B) {
	benchStores(b, func(b *testing.B, s *apitest.Server) {
		gid, tid := topicBench(b, s)
		runREST(b, s.AdminURL(b, "million_group_open_http_svc/modify_topic"), func(i int64) string {
			return fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"TopicName":"name %d","Notification":"n"}`, gid, tid, i)
		})
	})
}

func BenchmarkRESTGetTopic(b *testing.B) {
	benchStores(b, func(b *testing.B, s *apitest.Server) {
		gid, tid := topicBench(b, s)
		body := fmt.Sprintf(`{"GroupId":%q,"TopicIdList":[%q]}`, gid, tid)
		runREST(b, s.AdminURL(b, "million_group_open_http_svc/get_topic"), func(int64) string { return body })
	})
}

// BenchmarkRESTModifyTopicCallbacks measures what callbacks add to
// modify_topic: none, the before-callback alone (one loopback HTTP round
// trip to a receiver that allows), and the before- and after-callbacks (plus
// the outbox write and the background delivery).
func BenchmarkRESTModifyTopicCallbacks(b *testing.B) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	}))
	defer recv.Close()
	for _, c := range []struct {
		name    string
		enabled []string
	}{
		{"none", nil},
		{"before", []string{"Group.CallbackBeforeModifyTopic"}},
		{"before+after", []string{"Group.CallbackAfterGroupInfoChanged"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			opts := apitest.Options{}
			if c.enabled != nil {
				opts.Configure = func(cfg *config.Config) { cfg.CallbackURL, cfg.Callbacks = recv.URL, c.enabled }
			}
			s := apitest.Start(b, opts)
			gid, tid := topicBench(b, s)
			body := func(i int64) string {
				return fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"TopicName":"name %d","Notification":"n"}`, gid, tid, i)
			}
			url := s.AdminURL(b, "million_group_open_http_svc/modify_topic")
			if os.Getenv("HEARTH_BENCH_SERIAL") != "" {
				runRESTSerial(b, url, body) // one request at a time: ns/op is the latency
			} else {
				runREST(b, url, body)
			}
		})
	}
}

// runRESTSerial posts body(i) b.N times, one request at a time.
func runRESTSerial(b *testing.B, url string, body func(i int64) string) {
	client := &http.Client{}
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		i++
		res, err := client.Post(url, "application/json", strings.NewReader(body(i)))
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(out), `"ActionStatus":"OK"`) {
			b.Fatalf("answer %s", out)
		}
	}
}
