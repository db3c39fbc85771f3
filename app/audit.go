package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/esximcp/esximcp/domain"
)

// audit writes the one audit line of a mutation: the operation, its target
// (path and id, or the name asked for when it was never resolved), the
// outcome (ok, dry_run, or the error code) and how long it took.
func (s *Service) audit(ctx context.Context, op string, start time.Time, target domain.VM, dryRun bool, err error, attrs ...slog.Attr) {
	outcome, level := "ok", slog.LevelInfo
	switch {
	case err != nil:
		outcome, level = string(domain.CodeOf(err)), slog.LevelWarn
		if outcome == string(domain.CodeInternal) {
			level = slog.LevelError
		}
		attrs = append(attrs, slog.String("error", err.Error()))
	case dryRun:
		outcome = "dry_run"
	}
	where := target.Path
	if where == "" {
		where = target.Name
	}
	attrs = append([]slog.Attr{
		slog.String("op", op),
		slog.String("vm", where),
		slog.String("moref", target.ID),
		slog.String("outcome", outcome),
		slog.Duration("duration", time.Since(start)),
	}, attrs...)
	s.log.LogAttrs(ctx, level, "audit", attrs...)
}
