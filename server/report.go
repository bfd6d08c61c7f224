package server

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

// handleReportDetailed is GET /api/v1/reports/detailed/{incident_id}: the
// detailed report of a serious accident (様式第50の3) as JSON.
func (s *Server) handleReportDetailed(c *fiber.Ctx) error {
	rep, err := s.cfg.Reports.Detailed(c.UserContext(), caller(c).Org, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(rep)
}

// handleReportQuarterly is GET /api/v1/reports/quarterly?period=FY2026Q2
// [&organization=ID][&format=csv]: the quarterly file (様式第27).
func (s *Server) handleReportQuarterly(c *fiber.Ctx) error {
	p, err := reporting.ParsePeriod(c.Query("period"))
	if err != nil {
		return newError(fiber.StatusBadRequest, "bad-request", "Bad period", err.Error())
	}
	f, err := s.cfg.Reports.Quarterly(c.UserContext(), caller(c).Org, c.Query("organization"), p)
	if err != nil {
		return err
	}
	switch c.Query("format", "json") {
	case "json":
		return c.JSON(f)
	case "csv":
		var buf bytes.Buffer
		if err := f.WriteCSV(&buf); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.Organization+"-"+f.Period+`.csv"`)
		return c.Send(buf.Bytes())
	}
	return newError(fiber.StatusBadRequest, "bad-request", "Bad format", "format must be json or csv")
}
