package source

// Nearest returns the candidate closest to word in edit distance, for a
// "did you mean" in a message: a distance below limit counts, ties go to
// the candidate that sorts first, and "" means none is close enough.
func Nearest(word string, candidates []string, limit int) string {
	best, bestDist := "", limit
	var rows []int // two rows of the distance table, shared by the candidates
	for _, c := range candidates {
		if diff := len(word) - len(c); diff > bestDist || -diff > bestDist {
			continue // the distance is at least the difference in length
		}
		if need := 2 * (len(c) + 1); cap(rows) < need {
			rows = make([]int, need)
		}
		if d := editDistance(word, c, rows, bestDist); d < bestDist || d == bestDist && best != "" && c < best {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes, or
// some number above bound once the distance is sure to exceed it (a row's
// smallest entry never decreases); rows has room for two rows of len(b)+1.
func editDistance(a, b string, rows []int, bound int) int {
	prev, cur := rows[:len(b)+1], rows[len(b)+1:2*(len(b)+1)]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		least := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			least = min(least, cur[j])
		}
		if least > bound {
			return least
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
