// The dashboard's scrollable data table (.table-wrap > table.table): column headers in <thead>,
// the rows the caller renders in <tbody>.
import type { ReactNode } from "react";

/**
 * `head`: the header cells (<th scope="col">…), `children`: the <tr> rows, `testId`: the table's
 * data-testid (the e2e tests find it by that).
 */
export function DataTable({ testId, head, children }: { testId: string; head: ReactNode; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
