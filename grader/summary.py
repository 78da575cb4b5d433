"""The class summary: which criteria fail most, as a table and as a plotly bar chart."""

from __future__ import annotations

from .results import SubmissionResult


def class_summary(results: list[SubmissionResult]):
    """One row per criterion over the gradable submissions: how many failed, the share, reviews."""
    import pandas as pd

    rows: dict[str, dict] = {}
    for result in results:
        if not result.gradable:
            continue
        for c in result.criteria:
            row = rows.setdefault(
                c.id,
                {
                    "criterion": c.id,
                    "title": c.title or c.id,
                    "exercise": result.exercise,
                    "submissions": 0,
                    "failed": 0,
                    "needs_review": 0,
                },
            )
            row["submissions"] += 1
            row["failed"] += int(not c.passed)
            row["needs_review"] += int(c.needs_review)
    frame = pd.DataFrame(
        list(rows.values()), columns=["criterion", "title", "exercise", "submissions", "failed", "needs_review"]
    )
    frame["fail_rate"] = (frame["failed"] / frame["submissions"]).where(frame["submissions"] > 0, 0.0)
    return frame.sort_values(["fail_rate", "criterion"], ascending=[False, True]).reset_index(drop=True)


def summary_figure(results: list[SubmissionResult], title: str | None = None):
    """A horizontal bar chart of the share of submissions failing each criterion, worst on top."""
    import plotly.graph_objects as go

    frame = class_summary(results)
    graded = sum(r.gradable for r in results)
    exercises = sorted({str(e) for e in frame["exercise"].dropna()})
    title = title or (
        f"Which criteria fail most - {', '.join(exercises) or 'no gradable submissions'} "
        f"({graded} graded of {len(results)})"
    )
    ordered = frame.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=ordered["fail_rate"] * 100,
            y=ordered["criterion"],
            orientation="h",
            text=[f"{f}/{n}" for f, n in zip(ordered["failed"], ordered["submissions"])],
            textposition="auto",
            customdata=ordered[["title", "needs_review"]].to_numpy(),
            hovertemplate="%{customdata[0]}<br>failed by %{x:.0f} %% (%{text})<br>%{customdata[1]} to review<extra></extra>",
            marker_color="#b42318",
        )
    )
    figure.update_layout(
        title=title,
        xaxis_title="Share of graded submissions failing the criterion (%)",
        yaxis_title="Criterion",
        xaxis_range=[0, 100],
        template="plotly_white",
        height=max(320, 60 + 40 * len(frame)),
    )
    return figure
