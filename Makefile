# The two commands the README promises, and a few helpers.
.PHONY: run test test-race bench fuzz lint

run:
	go run ./cmd/hearth serve

test:
	go test -count=1 ./...

test-race:
	go test -race -count=1 ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...

fuzz:
	go test -run '^$$' -fuzz FuzzVerify -fuzztime 30s ./internal/usersig/
	go test -run '^$$' -fuzz FuzzRequestBodies -fuzztime 30s ./internal/rest/
	go test -run '^$$' -fuzz FuzzCheckBody -fuzztime 30s ./internal/message/
	go test -run '^$$' -fuzz FuzzDecideMatchesNaive -fuzztime 30s ./internal/permission/

lint:
	gofmt -l . && go vet ./...
