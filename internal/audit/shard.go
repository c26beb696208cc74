package audit

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard selects a deterministic part of the repositories: the ones whose ID
// hashes to Index modulo Count. The zero Shard selects everything.
type Shard struct {
	Index int // 0 ≤ Index < Count
	Count int
}

// Environment variables for Kubernetes Indexed Jobs: the index Kubernetes
// sets, and the number of shards, which the Job's manifest sets to its
// completions.
const (
	EnvShardIndex = "JOB_COMPLETION_INDEX"
	EnvShardCount = "MTLSLINT_SHARD_COUNT"
)

// ParseShard parses "I/N" (0 ≤ I < N).
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want I/N, for example 0/4", s)
	}
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want I/N with whole numbers, for example 0/4", s)
	}
	return newShard(index, count)
}

func newShard(index, count int) (Shard, error) {
	if count < 1 {
		return Shard{}, fmt.Errorf("shard count %d: want at least 1", count)
	}
	if index < 0 || index >= count {
		return Shard{}, fmt.Errorf("shard index %d: want 0 ≤ index < %d (shards are numbered from 0, as JOB_COMPLETION_INDEX is)", index, count)
	}
	return Shard{Index: index, Count: count}, nil
}

// ShardFromEnv reads the shard of a Kubernetes Indexed Job:
// JOB_COMPLETION_INDEX and MTLSLINT_SHARD_COUNT. ok is false when the index
// is not set.
func ShardFromEnv(getenv func(string) string) (s Shard, ok bool, err error) {
	idx := strings.TrimSpace(getenv(EnvShardIndex))
	if idx == "" {
		return Shard{}, false, nil
	}
	cnt := strings.TrimSpace(getenv(EnvShardCount))
	if cnt == "" {
		return Shard{}, true, fmt.Errorf("%s is set but %s is not: set it to the Job's completions", EnvShardIndex, EnvShardCount)
	}
	index, err1 := strconv.Atoi(idx)
	count, err2 := strconv.Atoi(cnt)
	if err1 != nil || err2 != nil {
		return Shard{}, true, fmt.Errorf("%s=%q, %s=%q: want whole numbers", EnvShardIndex, idx, EnvShardCount, cnt)
	}
	s, err = newShard(index, count)
	return s, true, err
}

// Has reports whether the repository with the given ID belongs to the
// shard. The assignment is FNV-1a (64 bits) of the ID modulo Count: it
// depends on nothing but the ID, so every runner agrees without talking to
// the others.
func (s Shard) Has(id string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index)
}

func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Select returns the repositories of the shard.
func (s Shard) Select(repos []Repo) []Repo {
	if s.Count <= 1 {
		return repos
	}
	var out []Repo
	for _, r := range repos {
		if s.Has(r.ID) {
			out = append(out, r)
		}
	}
	return out
}
