package mcpserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ServeStdio serves one MCP session over newline-delimited JSON-RPC: it
// reads in (stdin) and writes out (stdout), and nothing else ever writes to
// out. It returns nil when the client closes in and every call it sent has
// been answered, or when ctx is done and the calls in flight have been
// answered (at most Options.DrainTimeout later either way; calls that
// arrive meanwhile are refused). So a shell pipe that writes its requests
// and closes stdin reads every answer. It closes neither in nor out.
//
// A line that is not a JSON-RPC message is answered with a parse error or
// an invalid-request error, and the session goes on: go-sdk alone would end
// the session at the first such line.
func (s *Server) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	lines := &stdioLines{out: out, log: s.log}
	pr, pw := io.Pipe()
	defer pr.Close() // ends the filter's copying, and the session's input
	go lines.filter(in, pw, s.opts.DrainTimeout)

	t := &mcp.IOTransport{Reader: pr, Writer: nopWriteCloser{lines}}
	ss, err := s.mcp.Connect(ctx, t, nil)
	if err != nil {
		return fmt.Errorf("starting the stdio session: %w", err)
	}
	s.log.Info("serving MCP on stdio")

	ended := make(chan error, 1)
	go func() { ended <- ss.Wait() }()
	select {
	case err := <-ended:
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("stdio session: %w", err)
		}
		s.log.Info("the stdio client closed the session")
		return nil
	case <-ctx.Done():
	}

	// go-sdk's Close waits for calls in flight but then drops their answers
	// (jsonrpc2 refuses writes once closing has begun), and the end of the
	// input cancels them. So: refuse new calls, wait until every call
	// passed on has been answered, and only then close.
	idle := lines.drain()
	s.log.Info("shutting down: letting calls in flight finish", slog.Duration("timeout", s.opts.DrainTimeout))
	deadline := time.NewTimer(s.opts.DrainTimeout)
	defer deadline.Stop()
	select {
	case <-idle:
	case <-deadline.C:
		s.log.Warn("calls still in flight were abandoned", slog.Duration("timeout", s.opts.DrainTimeout))
		return nil
	}
	closed := make(chan struct{})
	go func() {
		ss.Close() //nolint:errcheck // the session ends either way
		close(closed)
	}()
	select {
	case <-closed:
	case <-deadline.C:
	}
	return nil
}

// stdioLines stands between stdin, go-sdk and stdout. It passes on the
// lines of stdin that hold JSON-RPC messages, answers the others itself,
// and counts the calls passed on that await an answer, so that a shutdown
// can wait for them.
type stdioLines struct {
	log *slog.Logger

	mu       sync.Mutex // serialises writes to out, and guards the fields below
	out      io.Writer
	pending  int           // calls passed on and not yet answered
	draining bool          // new calls are refused
	idle     chan struct{} // closed when draining and pending is 0
}

// Write writes one line of go-sdk's to out, counting the answers it holds.
func (l *stdioLines) Write(p []byte) (int, error) {
	answers := count(lineEnvelopes(p), envelope.isAnswer)
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.out.Write(p)
	l.pending = max(0, l.pending-answers)
	l.signalIdle()
	return n, err
}

// drain refuses further calls and returns a channel closed once every call
// passed on has been answered.
func (l *stdioLines) drain() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.draining = true
	if l.idle == nil {
		l.idle = make(chan struct{})
	}
	l.signalIdle()
	return l.idle
}

// signalIdle closes idle when draining is done. l.mu is held.
func (l *stdioLines) signalIdle() {
	if l.draining && l.pending == 0 && l.idle != nil {
		select {
		case <-l.idle:
		default:
			close(l.idle)
		}
	}
}

// admit counts the calls of a line about to be passed on, the messages
// envs, or reports that the line must be refused because the server is
// shutting down.
func (l *stdioLines) admit(envs []envelope) bool {
	calls := count(envs, envelope.isRequest)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.draining && calls > 0 {
		return false
	}
	l.pending += calls
	return true
}

// answer writes a line of its own to out.
func (l *stdioLines) answer(v any) error {
	b, _ := json.Marshal(v) // cannot fail: strings and numbers
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.out.Write(append(b, '\n'))
	return err
}

// filter copies the lines of in that hold a JSON-RPC message (or a batch
// of them) to the session, and answers every other line, and every line
// that the HTTP handler would refuse too (see refusals). Blank lines are
// skipped. At the end of in, it waits until the calls passed on have been
// answered, for at most drainTimeout, and closes the session's input: the
// end of the session's input cancels the calls still running.
func (l *stdioLines) filter(in io.Reader, session *io.PipeWriter, drainTimeout time.Duration) {
	r := bufio.NewReaderSize(in, 64<<10)
	for {
		line, tooLong, err := readLine(r, mcp.DefaultMaxLineLength)
		if line = bytes.TrimSpace(line); len(line) > 0 || tooLong {
			if e := checkLine(line, tooLong); e != nil {
				l.log.LogAttrs(context.Background(), slog.LevelInfo, "answered a stdio line that is not a JSON-RPC message",
					slog.Int64("code", e.Error.Code))
				if werr := l.answer(e); werr != nil {
					session.CloseWithError(werr)
					return
				}
			} else if envs := lineEnvelopes(line); slices.ContainsFunc(envs, envelope.refused) {
				// A line of notifications only gets no answer.
				if answer := refusal(envs, line[0] == '['); answer != nil {
					if werr := l.answer(answer); werr != nil {
						session.CloseWithError(werr)
						return
					}
				}
			} else if !l.admit(envs) {
				if werr := l.answer(newRPCError(idOf(line), codeServerError, "the server is shutting down")); werr != nil {
					session.CloseWithError(werr)
					return
				}
			} else if _, werr := session.Write(append(line, '\n')); werr != nil {
				return // the session has ended
			}
		}
		if err != nil {
			select {
			case <-l.drain():
			case <-time.After(drainTimeout):
				l.log.Warn("stdin ended with calls still in flight: they were abandoned", slog.Duration("timeout", drainTimeout))
			}
			session.Close() //nolint:errcheck // io.PipeWriter.Close never fails
			return
		}
	}
}

// readLine reads one line of at most max bytes. A longer line is consumed
// and reported as tooLong, without its bytes.
func readLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong && len(line)+len(chunk) <= max {
			line = append(line, chunk...)
		} else {
			tooLong, line = true, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, tooLong, err
		}
	}
}

// checkLine returns the error answer to a line that go-sdk could not take
// as a JSON-RPC message, nil for one it can.
func checkLine(line []byte, tooLong bool) *rpcErrorBody {
	invalid := func(id json.RawMessage, code int64, msg string) *rpcErrorBody {
		e := newRPCError(id, code, msg)
		return &e
	}
	switch {
	case tooLong:
		return invalid(nil, jsonrpc.CodeInvalidRequest, fmt.Sprintf("the message is longer than %d bytes", mcp.DefaultMaxLineLength))
	case !json.Valid(line):
		return invalid(nil, jsonrpc.CodeParseError, "parse error: the line is not valid JSON")
	}
	msgs := []json.RawMessage{line}
	if line[0] == '[' {
		msgs = nil
		if json.Unmarshal(line, &msgs) != nil || len(msgs) == 0 {
			return invalid(nil, jsonrpc.CodeInvalidRequest, "invalid request: a batch must be a non-empty array of JSON-RPC messages")
		}
	}
	for _, m := range msgs {
		if _, err := jsonrpc.DecodeMessage(m); err != nil {
			return invalid(idOf(m), jsonrpc.CodeInvalidRequest, "invalid request: "+err.Error())
		}
	}
	return nil
}

// refusal returns the answer to envs, the messages of a line (a batch when
// batch is set) of which at least one is refused: see refusals. It is nil
// when the line holds no call.
func refusal(envs []envelope, batch bool) any {
	switch answers := refusals(envs); {
	case len(answers) == 0:
		return nil
	case batch:
		return answers
	default:
		return answers[0]
	}
}

// idOf returns the raw id of a single JSON-RPC message, nil if it has none.
func idOf(msg []byte) json.RawMessage {
	var env envelope
	_ = json.Unmarshal(msg, &env) // no id is all a failure means here
	return env.ID
}

// lineEnvelopes returns the messages of a line, one or a batch; none when
// it is not JSON.
func lineEnvelopes(line []byte) []envelope {
	line = bytes.TrimSpace(line)
	envs, _ := envelopes(line, len(line) > 0 && line[0] == '[')
	return envs
}

// count counts the messages of envs that pass the test.
func count(envs []envelope, test func(envelope) bool) int {
	n := 0
	for _, e := range envs {
		if test(e) {
			n++
		}
	}
	return n
}

// nopWriteCloser keeps the session from closing the caller's writer.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
