/**
 * One model of a Cellebrite report.xml held as a small tree: only the model
 * being read is ever built, never the whole report.
 */
export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
  /** Text past the per-node cap was dropped. */
  cut: boolean;
}

/** The models directly inside `<multiModelField name=…>` or `<modelField name=…>`. */
export function submodels(node: XNode, name: string): XNode[] {
  return node.children
    .filter(
      (c) => (c.name === 'multiModelField' || c.name === 'modelField') && c.attrs.name === name,
    )
    .flatMap((c) => c.children.filter((m) => m.name === 'model'));
}

/** The first `<value>` of `<field name=…>`, or null when it is missing or `<empty/>`. */
export function fieldValue(node: XNode, name: string): XNode | null {
  const field = node.children.find((c) => c.name === 'field' && c.attrs.name === name);
  return field?.children.find((c) => c.name === 'value') ?? null;
}

/** The text of a field, or null when it is missing, empty or only white space. */
export function fieldText(node: XNode, name: string): string | null {
  const value = fieldValue(node, name);
  if (!value || !value.text.trim()) return null;
  return value.text;
}

/** Cellebrite writes booleans as True/False. */
export function fieldFlag(node: XNode, name: string): boolean {
  return fieldText(node, name)?.trim().toLowerCase() === 'true';
}

/** A model's XPath step under its parent field: by id when it has a plain one, else by position. */
export function modelStep(model: XNode, position: number): string {
  const id = model.attrs.id;
  return id !== undefined && /^[\w.:@-]{1,128}$/.test(id)
    ? `model[@id='${id}']`
    : `model[${position}]`;
}
