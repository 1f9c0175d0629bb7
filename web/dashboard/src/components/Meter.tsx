/**
 * A horizontal bar for `value` of `max` (e.g. replies used of the plan's allowance). The fill
 * turns amber at 80 % and red at 100 %. `label` names it for screen readers and on screen;
 * `text` is the visible "12 / 100".
 */
export function Meter(props: { label: string; value: number; max: number; text: string; testId?: string }) {
  const fraction = props.max > 0 ? Math.min(1, props.value / props.max) : 0;
  const level = fraction >= 1 ? "full" : fraction >= 0.8 ? "high" : "ok";
  return (
    <div className="meter" data-testid={props.testId}>
      <div className="meter-head">
        <span>{props.label}</span>
        <span className="meter-text">{props.text}</span>
      </div>
      <div className="meter-track" role="progressbar" aria-label={props.label}
        aria-valuemin={0} aria-valuemax={props.max} aria-valuenow={Math.min(props.value, props.max)}
        aria-valuetext={props.text}>
        <div className={`meter-fill ${level}`} style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
