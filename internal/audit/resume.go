package audit

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// Completed returns the IDs of the repositories that have a summary in the
// JSON Lines file at path (what --resume skips), except those whose
// analysis crashed: those are returned in retry, to be analysed once more
// (a second crash is final: status failed). A missing file means nothing
// is complete yet.
func Completed(path string) (done, retry map[string]bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]bool{}, map[string]bool{}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var recs Records
	if err := ReadRecords(f, &recs, true); err != nil {
		return nil, nil, err
	}
	done, retry = make(map[string]bool, len(recs.Repos)), map[string]bool{}
	for id, r := range recs.Repos {
		if r.Summary.Status == StatusCrash {
			retry[id] = true
		} else {
			done[id] = true
		}
	}
	return done, retry, nil
}

// OpenAppend opens a JSON Lines file for appending more records, starting
// a new line first when the file ends in the middle of one (a run killed
// while writing).
func OpenAppend(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err != nil && err != io.EOF {
			f.Close()
			return nil, err
		}
		if last[0] != '\n' {
			if _, err := f.Write([]byte("\n")); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	return f, nil
}
