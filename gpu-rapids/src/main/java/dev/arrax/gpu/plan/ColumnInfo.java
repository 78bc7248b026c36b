package dev.arrax.gpu.plan;

/**
 * A device column of a plan. Its length is {@code rows * width}: a row column ({@code width == 1}) holds
 * one value per row (one feature of a narrow row, a per-row scalar); a wide column holds {@code width}
 * values per row, row after row (the flat child of a list column: the 1024 logits of each row).
 */
public record ColumnInfo(int id, ColumnType type, int width) {
  /** {@code c3:f32} or {@code c3:f32[w=1024]}, as plans print it. */
  public String describe() { return "c" + id + ":" + type.shortName() + (width == 1 ? "" : "[w=" + width + "]"); }
}
