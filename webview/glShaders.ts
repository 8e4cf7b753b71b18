// The WebGL 2 renderer's shaders. Points: one vertex per word read straight from the
// coordinate buffer, placed by the view's uniforms (the same formulas as viewMath.ts, so
// panning and rotating never touch the buffers). Density: each point adds its colour and a
// weight into a half-float framebuffer; the resolve pass turns the sums into the mean colour
// at that pixel, an opacity that grows with the count, and a glow towards the foreground
// where thousands overlap — readable at a million points, and independent of drawing order.

export const POINT_VERTEX = `#version 300 es
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec4 a_color;
layout(location = 2) in float a_flag; // 0 hidden, 1 dimmed (not a search match), 2 shown
uniform vec2 u_centre;
uniform float u_scale;
uniform vec2 u_half;
uniform int u_dims;
uniform vec4 u_rot; // cos yaw, sin yaw, cos pitch, sin pitch
uniform float u_size;
uniform float u_dim;
out vec4 v_color;
out float v_weight;
void main() {
  if (a_flag < 0.5) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    gl_PointSize = 0.0;
    return;
  }
  vec2 p = a_pos.xy;
  if (u_dims == 3) {
    float x1 = a_pos.x * u_rot.x + a_pos.z * u_rot.y;
    float z1 = -a_pos.x * u_rot.y + a_pos.z * u_rot.x;
    float y2 = a_pos.y * u_rot.z - z1 * u_rot.w;
    float z2 = a_pos.y * u_rot.w + z1 * u_rot.z;
    float f = 3.0 / (3.0 + z2);
    p = vec2(x1 * f, y2 * f);
  }
  gl_Position = vec4((p - u_centre) * u_scale / u_half, 0.0, 1.0);
  gl_PointSize = u_size;
  v_color = a_color;
  v_weight = a_flag > 1.5 ? 1.0 : u_dim;
}`;

export const POINT_FRAGMENT = `#version 300 es
precision highp float;
in vec4 v_color;
in float v_weight;
uniform bool u_round;
uniform bool u_direct; // no float framebuffer: plain alpha blending onto the canvas
out vec4 o;
void main() {
  if (u_round) {
    vec2 d = gl_PointCoord - 0.5;
    if (dot(d, d) > 0.25) discard;
  }
  o = u_direct ? vec4(v_color.rgb, 0.9 * v_weight) : vec4(v_color.rgb * v_weight, v_weight);
}`;

/** A triangle covering the screen, from gl_VertexID alone (no buffer). */
export const RESOLVE_VERTEX = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

export const RESOLVE_FRAGMENT = `#version 300 es
precision highp float;
uniform sampler2D u_acc;
uniform vec3 u_bg;
uniform vec3 u_fg;
out vec4 o;
void main() {
  vec4 s = texelFetch(u_acc, ivec2(gl_FragCoord.xy), 0);
  if (s.a <= 0.0) {
    o = vec4(u_bg, 1.0);
    return;
  }
  vec3 mean = s.rgb / s.a;
  float cover = 1.0 - exp(-2.3 * s.a);
  float glow = clamp(log2(s.a) / 12.0, 0.0, 0.45);
  o = vec4(mix(u_bg, mix(mean, u_fg, glow), cover), 1.0);
}`;
